"""The engine bounds every wait on PostgreSQL: statements and open transactions time out on the server."""

import os

import pytest
from sqlalchemy import text

from app.core.db import build_engine
from tests.conftest import postgres_test_url

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")


def test_every_connection_bounds_statements_and_idle_transactions() -> None:
    engine = build_engine(postgres_test_url("backend_db_tests"))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "15s"
            assert connection.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "1min"
    finally:
        engine.dispose()
