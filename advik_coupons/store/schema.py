"""Create or upgrade the schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from .dialects import named_lock
from .models import table_prefix

MIGRATIONS = Path(__file__).parent / "migrations"


def prefixed(name: str) -> str:
    """A table (or constraint) name with the process's ``ADVIK_TABLE_PREFIX``."""
    return table_prefix() + name


def _config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes["table_prefix"] = table_prefix()
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision.

    On MySQL/MariaDB (``GET_LOCK``) and PostgreSQL (an advisory lock) a named
    lock makes concurrent callers (several workers starting at once) run the
    migrations one after the other, so each revision runs once.
    """
    with engine.connect() as connection, named_lock(connection, prefixed("migrate")):
        command.upgrade(_config(connection), "heads")
        connection.commit()


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return connection_heads(connection)


def connection_heads(connection: Connection) -> set[str]:
    """The revisions the database's version table is at (empty: no schema)."""
    context = MigrationContext.configure(
        connection, opts={"version_table": prefixed("alembic_version")})
    return set(context.get_current_heads())


@cache
def newest_heads() -> frozenset[str]:
    """This package's head revisions (read from the migration files once)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())
