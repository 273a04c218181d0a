"""The few statements that differ per database, picked in one place.

SQLite, MySQL/MariaDB and PostgreSQL agree on nearly all the SQL the plugin
writes; where they do not — an insert that skips a duplicate, an upsert that
adds to counters, seconds since 1970 of a stored time, a lock that serialises
the migrations — the callers ask this module for the form of their database
instead of branching themselves. :func:`family` names the three.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Table,
    cast,
    extract,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session

FAMILIES = ("sqlite", "mysql", "postgresql")


def family(bind: Session | Connection | Engine | Dialect | str) -> str:
    """``sqlite``, ``mysql`` (MySQL and MariaDB) or ``postgresql``."""
    if isinstance(bind, str):
        name = bind
    elif isinstance(bind, Dialect):
        name = bind.name
    elif isinstance(bind, Session):
        name = bind.get_bind().dialect.name
    else:
        name = bind.dialect.name
    if name == "mariadb":
        return "mysql"
    if name not in FAMILIES:
        raise ValueError(f"unsupported database {name!r}: use SQLite, MySQL/MariaDB "
                         "or PostgreSQL")
    return name


def insert_ignoring(table: Table, unique: Sequence[str], dialect: str) -> Any:
    """``INSERT`` that skips rows whose ``unique`` columns are already there."""
    kind = family(dialect)
    if kind == "mysql":
        return mysql_insert(table).prefix_with("IGNORE")
    if kind == "postgresql":
        return pg_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=list(unique))


def upsert_adding(table: Table, key: Sequence[str], counters: Sequence[str],
                  dialect: str) -> Any:
    """``INSERT`` a row, or add its ``counters`` to the row with the same ``key``."""
    kind = family(dialect)
    if kind == "mysql":
        my = mysql_insert(table)
        return my.on_duplicate_key_update({c: table.c[c] + my.inserted[c] for c in counters})
    made = pg_insert(table) if kind == "postgresql" else sqlite_insert(table)
    return made.on_conflict_do_update(
        index_elements=list(key), set_={c: table.c[c] + made.excluded[c] for c in counters})


def upsert_setting(table: Table, key: Sequence[str], values: dict[str, Any],
                   dialect: str) -> Any:
    """``INSERT`` a row, or set ``values`` on the row with the same ``key`` (and lock it)."""
    kind = family(dialect)
    if kind == "mysql":
        return mysql_insert(table).on_duplicate_key_update(values)
    made = pg_insert(table) if kind == "postgresql" else sqlite_insert(table)
    return made.on_conflict_do_update(index_elements=list(key), set_=values)


def epoch_seconds(column: Any, dialect: str) -> ColumnElement[int]:
    """Whole seconds since 1970-01-01 of a naive-UTC ``DATETIME``/``TIMESTAMP`` column."""
    kind = family(dialect)
    if kind == "mysql":
        return func.timestampdiff(literal_column("SECOND"), "1970-01-01 00:00:00", column)
    if kind == "postgresql":  # a timestamp without time zone: EXTRACT reads it as UTC
        return cast(func.floor(extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return zlib.crc32(name.encode()) - 2**31


@contextlib.contextmanager
def named_lock(connection: Connection, name: str, timeout: int = 120) -> Iterator[None]:
    """Hold a server-wide named lock (MySQL ``GET_LOCK``, PostgreSQL advisory lock).

    SQLite needs none: its writers already take turns on the file.
    """
    kind = family(connection)
    if kind == "mysql":
        got = connection.execute(text("SELECT GET_LOCK(:name, :wait)"),
                                 {"name": name, "wait": timeout}).scalar()
        if got != 1:
            raise RuntimeError(f"could not take the lock {name!r} within {timeout} s")
        try:
            yield
        finally:
            connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})
        return
    if kind == "postgresql":
        # A session-level lock: it outlives the migrations' own commits.
        connection.execute(text(f"SET lock_timeout = '{int(timeout)}s'"))
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(name)})
        connection.execute(text("SET lock_timeout = 0"))
        connection.commit()
        try:
            yield
        finally:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                               {"key": _lock_key(name)})
            connection.commit()
        return
    yield


def like_ignoring_case(column: Any, pattern: str, dialect: str) -> ColumnElement[bool]:
    """``column LIKE pattern`` in any letter case (ASCII), escaped with a backslash.

    SQLite's ``LIKE`` and MySQL's ``*_ci`` collations already ignore case, and a plain
    ``LIKE`` keeps their scans cheap; PostgreSQL's ``LIKE`` is exact, so it gets ``ILIKE``.
    """
    if family(dialect) == "postgresql":
        return column.ilike(pattern, escape="\\")  # type: ignore[no-any-return]
    return column.like(pattern, escape="\\")  # type: ignore[no-any-return]
