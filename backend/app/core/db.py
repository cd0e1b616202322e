"""Database engine and sessions."""

import select
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

CONNECT_TIMEOUT_SECONDS = 5
# Every wait on PostgreSQL is bounded, so a stalled or unreachable server gives a prompt 503, not a hung
# worker: a statement (none here takes over milliseconds), a transaction left open, a free pooled connection.
STATEMENT_TIMEOUT = "15s"
IDLE_IN_TRANSACTION_TIMEOUT = "60s"
POOL_TIMEOUT_SECONDS = 10
# TCP keepalives notice a server that vanished without closing the connection (a node lost, a network cut).
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


def build_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        # FastAPI runs sync endpoints in a thread pool, so the connection crosses threads.
        return create_engine(url, connect_args={"check_same_thread": False})
    # At most 20 connections, as before (10 + 10 overflow), but all of them kept: overflow connections were
    # closed on return and reopened by the next burst, a PostgreSQL process forked per request under load.
    engine = create_engine(
        url,
        pool_size=20,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, **KEEPALIVES},
    )
    # SET on connect rather than the `options` startup parameter, which some poolers (PgBouncer) refuse.
    event.listen(engine, "connect", set_session_timeouts)
    # Instead of pool_pre_ping, which costs a round trip on every checkout (a tenth of a list request).
    event.listen(engine, "checkout", _refuse_if_closed_by_server)
    return engine


def set_session_timeouts(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = connection.cursor()
    cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
    cursor.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'")
    cursor.close()
    connection.commit()


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
