"""Alembic environment: DATABASE_URL from the settings, our tables only, one migrator at a time."""

import logging
import time
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine, pool, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, create_engine

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.core.config import get_settings

# Any fixed 64-bit number, shared by every replica: whoever holds it migrates, the others wait, then find
# the database already at head.
MIGRATION_LOCK_KEY = 7_263_511_904
# A migration init container may start while the database's Service does not route yet (right after an
# install or a reset): keep trying this long before giving up.
CONNECT_PATIENCE_SECONDS = 90
# libpq's words when the server's certificate does not verify (sslmode verify-ca or verify-full, or require
# with a root certificate such as the charts' database.caSecret).
CERTIFICATE_FAILURES = ("certificate verify failed", "does not match host name")
CERTIFICATE_HINT = (
    "the database server's TLS certificate cannot be verified; give its CA (sslrootcert in DATABASE_URL, "
    "PGSSLROOTCERT, or the chart's database.caSecret) or check the host name in DATABASE_URL"
)

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = SQLModel.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave Better Auth's tables (user, session, account, verification, jwks) in the same database alone."""
    return type_ != "table" or name in target_metadata.tables


def database_url() -> URL:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def connect_patiently(engine: Engine) -> Connection:
    """Connect, retrying while the database is unreachable; exit with one clear line if it stays so."""
    deadline = time.monotonic() + CONNECT_PATIENCE_SECONDS
    while True:
        try:
            return engine.connect()
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0]
            if any(failure in reason for failure in CERTIFICATE_FAILURES):
                # Not transient: waiting cannot make the server's certificate verify.
                raise SystemExit(f"migrations: {CERTIFICATE_HINT}: {reason}") from None
            if time.monotonic() > deadline:
                message = f"migrations: database unreachable for {CONNECT_PATIENCE_SECONDS} s: {reason}"
                raise SystemExit(message) from None
            logging.getLogger("alembic").warning("database not reachable yet; retrying in 2 s")
            time.sleep(2)


def run_migrations_online() -> None:
    url = database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with connect_patiently(engine) as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=include_name,
            render_as_batch=url.get_backend_name() == "sqlite",
        )
        with context.begin_transaction():
            if url.get_backend_name() == "postgresql":
                # Released at commit; the waiting migrators then see the new revision and do nothing.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
