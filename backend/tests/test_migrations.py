"""Alembic: `alembic upgrade head` from backend/, concurrent migrators, Better Auth's tables left alone."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from app.core.migrations import alembic_config
from tests.conftest import BACKEND_DIR, as_string, migrate, postgres_test_url

BETTER_AUTH_TABLES = ("user", "session", "account", "verification", "jwks")
OUR_TABLES = {"task", "conversation", "message", "alembic_version"}
needs_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"
)


def alembic_cli(url: URL, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": as_string(url)}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *arguments],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def create_better_auth_tables(url: URL) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in BETTER_AUTH_TABLES:
            connection.execute(text(f'CREATE TABLE "{table}" (id VARCHAR(64) PRIMARY KEY)'))
    engine.dispose()


def table_names(url: URL) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_cli_upgrade_from_the_backend_directory_ignores_better_auth(tmp_path) -> None:
    url = URL.create("sqlite", database=str(tmp_path / "fresh.db"))
    create_better_auth_tables(url)
    upgraded = alembic_cli(url, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert table_names(url) == OUR_TABLES | set(BETTER_AUTH_TABLES)
    checked = alembic_cli(url, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # models and migrations agree
    downgraded = alembic_cli(url, "downgrade", "base")
    assert downgraded.returncode == 0, downgraded.stderr
    assert table_names(url) == {"alembic_version", *BETTER_AUTH_TABLES}


@needs_postgres
def test_concurrent_upgrades_on_postgresql_all_succeed() -> None:
    url = postgres_test_url("backend_tests_concurrent")
    create_better_auth_tables(url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: alembic_cli(url, "upgrade", "head"), range(4)))
    assert [result.returncode for result in results] == [0, 0, 0, 0], [result.stderr for result in results]
    assert sum("Running upgrade  -> 0001" in result.stderr for result in results) == 1
    assert table_names(url) == OUR_TABLES | set(BETTER_AUTH_TABLES)
    migrate(url)  # and once more in process: already at head, nothing to do
    config = alembic_config()
    config.attributes.update(database_url=url, configure_logger=False)
    command.check(config)
    drop_schema(url)


def drop_schema(url: URL) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA backend_tests_concurrent CASCADE"))
    engine.dispose()
