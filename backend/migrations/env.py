"""Alembic environment: DATABASE_URL from the settings, our tables only, one migrator at a time."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import URL
from sqlmodel import SQLModel, create_engine

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.core.config import get_settings

# Any fixed 64-bit number, shared by every replica: whoever holds it migrates, the others wait, then find
# the database already at head.
MIGRATION_LOCK_KEY = 7_263_511_904

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


def run_migrations_online() -> None:
    url = database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
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
