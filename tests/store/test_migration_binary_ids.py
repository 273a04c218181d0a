"""Revision 0005_i15_binary_ids: an existing install's identifiers become byte-exact.

A database migrated to 0004_i11_items (MariaDB's case-blind default collation) holds
a booking ``aB3x-9``; after the upgrade ``AB3X-9`` is another booking, every
identifier column has ``utf8mb4_bin``, and the rows are unchanged. On SQLite
and PostgreSQL the revision changes nothing, and the same holds already.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.store.test_migration_backfill import (  # noqa: F401 - fixtures
    admin_mysql_url,
    admin_postgres_url,
    engine,
    migrate,
    prefix,
    tables,
)

MOMENT = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def insert_redemption(bind: Engine, table_prefix: str, ref: str) -> None:
    _coupons, redemptions, _ = tables(table_prefix)
    with bind.begin() as connection:
        connection.execute(redemptions.insert(), [{
            "coupon_id": 1, "code": "C1", "booking_ref": ref, "occurrence": 0,
            "booking_type": "one_time", "subtotal": Decimal("10"), "discount": Decimal("1"),
            "tax": Decimal("0"), "total": Decimal("9"), "discount_type": "fixed",
            "discount_value": Decimal("1"), "recurring_scope": "first", "consumed_use": True,
            "status": "redeemed", "source": "api", "created_at": MOMENT, "cancelled_at": None}])


def test_upgrade_makes_identifiers_exact(engine: Engine, prefix: str) -> None:  # noqa: F811
    migrate(engine, "0004_i11_items")
    coupons = tables(prefix)[0]
    with engine.begin() as connection:
        connection.execute(coupons.insert(), [{
            "id": 1, "name": "C", "description": "", "discount_type": "fixed",
            "discount_value": Decimal("1"), "audience": "all", "days_of_week": "",
            "booking_types": "one_time", "recurring_scope": "first",
            "once_per_customer": False, "active": True, "min_subtotal": Decimal("0"),
            "max_subtotal": Decimal("0"), "used": 1, "starts_at": MOMENT,
            "created_at": MOMENT, "updated_at": MOMENT}])
    insert_redemption(engine, prefix, "aB3x-9")

    migrate(engine, "heads")

    insert_redemption(engine, prefix, "AB3X-9")  # the unique key tells them apart now
    with engine.connect() as connection:
        refs = connection.execute(sa.text(
            f"SELECT booking_ref FROM {prefix}redemptions ORDER BY booking_ref")).scalars()
        assert list(refs) == ["AB3X-9", "aB3x-9"]
        if engine.dialect.name != "mysql":
            return
        collations = dict(connection.execute(sa.text(
            "SELECT CONCAT(table_name, '.', column_name), collation_name"
            " FROM information_schema.columns WHERE table_schema = DATABASE()"
            " AND table_name LIKE :like"), {"like": prefix + "%"}).all())
    for column in ("coupon_codes.code", "redemptions.code", "redemptions.booking_ref",
                   "redemptions.series_ref", "bookings.booking_ref", "api_tokens.name"):
        assert collations[prefix + column] == "utf8mb4_bin", column
    assert collations[prefix + "coupons.name"] != "utf8mb4_bin"  # names stay case-blind
