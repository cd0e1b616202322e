"""Database engine and sessions."""

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import DBAPIConnection
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
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, **KEEPALIVES},
    )
    # SET on connect rather than the `options` startup parameter, which some poolers (PgBouncer) refuse.
    event.listen(engine, "connect", set_session_timeouts)
    return engine


def set_session_timeouts(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = connection.cursor()
    cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
    cursor.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'")
    cursor.close()
    connection.commit()


def open_session(engine: Engine) -> Session:
    # Objects stay usable after commit: responses are built from them without another round trip.
    return Session(engine, expire_on_commit=False)
