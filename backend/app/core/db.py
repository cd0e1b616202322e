"""Database engine and sessions."""

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlmodel import Session, create_engine

CONNECT_TIMEOUT_SECONDS = 5


def build_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        # FastAPI runs sync endpoints in a thread pool, so the connection crosses threads.
        return create_engine(url, connect_args={"check_same_thread": False})
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def open_session(engine: Engine) -> Session:
    # Objects stay usable after commit: responses are built from them without another round trip.
    return Session(engine, expire_on_commit=False)
