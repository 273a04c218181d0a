"""The database engine's settings: pool options per database, SQLite's pragmas.

PyMySQL is pure Python, so every round trip costs: connections are recycled
below MySQL's ``wait_timeout`` instead of pinged on every checkout (see
``docs/production.md``); SQLite gets WAL, a busy timeout and foreign keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def engine_options(url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Pool settings that suit the database behind ``url``."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # Recycle below MySQL's wait_timeout instead of a ping on every checkout; a
    # connection the server dropped anyway fails one request and SQLAlchemy then
    # replaces the whole pool. ADVIK_POOL_PRE_PING turns the ping on where idle
    # connections are cut sooner than the recycle.
    options: dict[str, Any] = {"pool_recycle": int(config.get("ADVIK_POOL_RECYCLE", 280)),
                               "pool_pre_ping": bool(config.get("ADVIK_POOL_PRE_PING", False)),
                               "pool_size": 10, "max_overflow": 20}
    if url.startswith("mysql"):
        # Every statement sees the latest committed rows once a row lock is held.
        options["isolation_level"] = "READ COMMITTED"
    return options


def tune_engine(engine: Engine) -> None:
    """SQLite's pragmas on every new connection (once per engine; others untouched)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_advik_tuned", False):
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    engine._advik_tuned = True  # type: ignore[attr-defined]
