"""Database engine and sessions."""

import select
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

CONNECT_TIMEOUT_SECONDS = 5


def build_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        # FastAPI runs sync endpoints in a thread pool, so the connection crosses threads.
        return create_engine(url, connect_args={"check_same_thread": False})
    # At most 20 connections, as before (10 + 10 overflow), but all of them kept: overflow connections were
    # closed on return and reopened by the next burst, a PostgreSQL process forked per request under load.
    engine = create_engine(
        url, pool_size=20, max_overflow=0, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    # Instead of pool_pre_ping, which costs a round trip on every checkout (a tenth of a list request).
    event.listen(engine, "checkout", _refuse_if_closed_by_server)
    return engine


def _refuse_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Drop a pooled connection the server has closed, without a round trip; the pool then opens a new one.

    An idle connection has nothing to read. When PostgreSQL restarts or ends a session, it sends a FATAL
    message and closes the socket, which makes the socket readable: one non-blocking poll sees that. (A
    connection lost without a word, say in a network partition, fails on first use instead: the pool then
    drops every older connection, and read-only requests retry once; see app.api.lean.)"""
    if dbapi_connection.closed or _readable(dbapi_connection.fileno()):
        raise DisconnectionError("the server closed this pooled connection")


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def open_session(engine: Engine) -> Session:
    # Objects stay usable after commit: responses are built from them without another round trip.
    return Session(engine, expire_on_commit=False)
