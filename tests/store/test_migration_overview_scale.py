"""Revision 0009_i13_overview_scale: the spans are filled from the slots, and the
ledger learns which bookings used a coupon."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.store.test_migration_backfill import (  # noqa: F401  (fixtures)
    admin_mysql_url,
    admin_postgres_url,
    fill,
    migrate,
    read_buckets,
    tables,
)
from tests.store.test_migration_backfill import engine as engine  # noqa: F401  (a fixture)
from tests.store.test_migration_backfill import prefix as prefix  # noqa: F401  (a fixture)


def test_spans_and_ledger_flags_are_filled(engine: Engine, prefix: str) -> None:
    migrate(engine, "0008_i17_sso_tokens")
    with engine.begin() as connection:
        fill(connection, prefix)
        connection.execute(tables(prefix)[2].insert(), [  # slots 0008 kept (a day apart)
            {"coupon_id": c, "bucket": b, "redeemed": n, "cancelled": 1,
             "subtotal_cents": 1000 * n, "discount_cents": 100 * n}
            for c, b, n in ((1, 1_900_000, 2), (1, 1_900_001, 3), (1, 1_900_100, 1),
                            (2, 1_903_072, 4), (2, 1_899_999, 1))])
        bookings = sa.table(prefix + "bookings", sa.column("booking_ref", sa.String),
                            sa.column("status", sa.String), sa.column("created_at", sa.DateTime))
        connection.execute(bookings.insert(), [
            {"booking_ref": ref, "status": "confirmed", "created_at": datetime(2024, 5, 1)}
            for ref in ("a1", "plain")])
    with engine.connect() as connection:
        slots = read_buckets(connection, prefix)
    migrate(engine, "heads")
    expected: defaultdict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * 4)
    for coupon_id, bucket, *counters in slots:
        for span in (3072, 96):
            row = expected[(coupon_id, span, bucket // span)]
            row[:] = [a + b for a, b in zip(row, counters, strict=True)]
    with engine.connect() as connection:
        spans = connection.execute(sa.text(
            f"SELECT coupon_id, span, start, redeemed, cancelled, subtotal_cents, "
            f"discount_cents FROM {prefix}redemption_spans")).all()
        flags = dict(connection.execute(sa.text(
            f"SELECT booking_ref, with_coupon FROM {prefix}bookings")).all())
    assert slots and {tuple(int(v) for v in row[:3]): [int(v) for v in row[3:]]
                      for row in spans} == dict(expected)
    assert {ref: bool(flag) for ref, flag in flags.items()} == {"a1": True, "plain": False}
