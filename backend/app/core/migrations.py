"""Where the database stands against the Alembic migrations shipped with this code."""

import logging
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

BACKEND_DIR = Path(__file__).resolve().parents[2]
ALEMBIC_INI = BACKEND_DIR / "alembic.ini"


def alembic_config() -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    return config


@lru_cache
def expected_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def migration_problem(engine: Engine) -> str | None:
    """None when the database is reachable and at the head revision, else the reason it is not."""
    try:
        with engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        logger.warning("readiness: database unreachable: %s", type(error).__name__)
        return "database unreachable"
    if current != expected_heads():
        found = ", ".join(sorted(current)) or "no revision"
        return f"database not migrated: at {found}, expected {', '.join(sorted(expected_heads()))}"
    return None
