"""Requests recover at once when PostgreSQL has closed the pooled connections (a restart, an admin's kill).

The pool does not ping on checkout (a round trip per request); these tests end the app's connections on the
server, as a restart does, and check that the next requests succeed."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from app.core import db
from tests.conftest import User


@pytest.fixture
def postgres_only(database_url: URL) -> None:
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("ends server sessions: PostgreSQL only")


@pytest.fixture
def admin(database_url: URL) -> Iterator[Engine]:
    """A connection of its own (not the app's pool) to end the app's sessions with."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def pooled_backend_pids(engine: Engine) -> list[int]:
    """The server process ids behind the app's idle pooled connections."""
    records = list(engine.pool._pool.queue)  # type: ignore[attr-defined]
    return [record.dbapi_connection.info.backend_pid for record in records if record.dbapi_connection]


def end_sessions(admin: Engine, pids: list[int]) -> None:
    """pg_terminate_backend, as a restart does to every session; returns once they are gone."""
    assert pids, "the app has no pooled connection to end"
    # Autocommit: within one transaction pg_stat_activity is a snapshot, and would never see them go.
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(500):
            alive = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"), {"pids": pids}
            ).scalar_one()
            if not alive:
                return
            connection.execute(text("SELECT pg_sleep(0.01)"))
    raise AssertionError(f"sessions {pids} still alive")


@pytest.mark.usefixtures("postgres_only")
def test_every_request_succeeds_after_the_server_ended_the_pooled_connections(
    alice: User, app: FastAPI, admin: Engine
) -> None:
    alice.add_task("Before")
    end_sessions(admin, pooled_backend_pids(app.state.engine))
    # A write is not retried: it succeeds because the pool saw the closed connection before using it.
    created = alice.post("/tasks", json={"title": "After"})
    assert created.status_code == 201, created.text
    end_sessions(admin, pooled_backend_pids(app.state.engine))
    listed = alice.get("/tasks")
    assert listed.status_code == 200, listed.text
    assert [task["title"] for task in listed.json()] == ["After", "Before"]


@pytest.mark.usefixtures("postgres_only")
def test_a_read_retries_once_on_a_connection_lost_without_notice(
    alice: User, app: FastAPI, admin: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Say a network partition: the socket shows nothing, the first query fails, and the list retries."""
    alice.add_task("Kept")
    monkeypatch.setattr(db, "_readable", lambda fd: False)
    end_sessions(admin, pooled_backend_pids(app.state.engine))
    listed = alice.get("/tasks")
    assert listed.status_code == 200, listed.text
    assert [task["title"] for task in listed.json()] == ["Kept"]
