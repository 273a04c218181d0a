"""Revision 0012_i14_amount_scale: every amount keeps its value, and three decimals fit.

Run on SQLite, MariaDB and PostgreSQL (the shared fixtures of the backfill test).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection, Engine

from advik_coupons.store.schema import _config
from tests.store.test_migration_backfill import (  # noqa: F401  (fixtures)
    admin_mysql_url,
    admin_postgres_url,
    fill,
    migrate,
)
from tests.store.test_migration_backfill import engine as engine  # noqa: F401  (a fixture)
from tests.store.test_migration_backfill import prefix as prefix  # noqa: F401  (a fixture)

BEFORE = "0011_i12_roles_history"
AMOUNTS = {"coupons": ("discount_value", "min_subtotal", "max_subtotal", "max_discount"),
           "redemptions": ("subtotal", "discount", "tax", "total", "discount_value"),
           "bookings": ("subtotal",)}


def read_amounts(connection: Connection, prefix: str) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table, columns in AMOUNTS.items():
        rows = connection.execute(sa.text(
            f"SELECT {', '.join(columns)} FROM {prefix}{table} ORDER BY id")).all()
        found[table] = [tuple(None if v is None else Decimal(str(v)) for v in row)
                        for row in rows]
    return found


def numeric_scale(engine: Engine, prefix: str, table: str, column: str) -> int | None:
    for info in sa.inspect(engine).get_columns(prefix + table):
        if info["name"] == column:
            return getattr(info["type"], "scale", None)
    raise AssertionError(f"no column {column}")


def test_every_amount_is_kept_and_three_decimals_fit(engine: Engine, prefix: str) -> None:
    migrate(engine, BEFORE)
    with engine.begin() as connection:
        fill(connection, prefix)
        connection.execute(sa.text(
            f"UPDATE {prefix}coupons SET max_discount = 1234567890.12, "
            f"min_subtotal = 9999999999.99 WHERE id = 1"))
        connection.execute(sa.text(
            f"INSERT INTO {prefix}bookings (booking_ref, status, created_at, subtotal) "
            f"VALUES ('b1', 'confirmed', :at, 12.34), ('b2', 'confirmed', :at, NULL)"),
            {"at": datetime(2024, 5, 1)})
    with engine.connect() as connection:
        before = read_amounts(connection, prefix)
    assert before["redemptions"] and before["coupons"][0][3] == Decimal("1234567890.12")

    migrate(engine, "heads")

    with engine.connect() as connection:
        after = read_amounts(connection, prefix)
    assert after == before
    if engine.dialect.name != "sqlite":  # SQLite keeps no declared scale
        assert numeric_scale(engine, prefix, "redemptions", "total") == 3
        assert numeric_scale(engine, prefix, "bookings", "subtotal") == 3
    with engine.begin() as connection:
        connection.execute(sa.text(
            f"UPDATE {prefix}redemptions SET discount = 1.25, total = 9999999999.999"))
        kept = connection.execute(sa.text(
            f"SELECT discount, total FROM {prefix}redemptions")).first()
    assert kept is not None
    assert Decimal(str(kept[0])) == Decimal("1.250")
    assert Decimal(str(kept[1])) == Decimal("9999999999.999")


def test_downgrade_rounds_back_to_two_decimals(engine: Engine, prefix: str) -> None:
    migrate(engine, "heads")
    with engine.begin() as connection:
        fill(connection, prefix)
        connection.execute(sa.text(f"UPDATE {prefix}redemptions SET discount = 1.125"))
    with engine.connect() as connection:
        sa_config_downgrade(connection)
    with engine.connect() as connection:
        values = {Decimal(str(v)) for (v,) in connection.execute(sa.text(
            f"SELECT discount FROM {prefix}redemptions"))}
    assert values == {Decimal("1.13")}


def sa_config_downgrade(connection: Connection) -> None:
    command.downgrade(_config(connection), BEFORE)
    connection.commit()
