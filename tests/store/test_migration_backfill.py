"""Revision 0002_admin fills the tracking rollup from the redemptions made before it.

A database is migrated to 0001_initial, given coupons and redemptions, then upgraded
to the heads; the rollup must hold what the numbers say and what
:func:`advik_coupons.store.tracking.rebuild_buckets` computes from the same redemptions.
On MariaDB the test uses its own database, ``advik_admin`` (created when missing),
as it starts from an empty schema; on PostgreSQL, the test database's name with
``_admin`` added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import URL, Connection, Engine, make_url

from advik_coupons.store import models
from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import _config, current_heads, newest_heads
from advik_coupons.store.tracking import rebuild_buckets
from tests.conftest import MYSQL_URL, PG_URL, drop_plugin_tables, ensure_pg_database, unavailable

ADMIN_DATABASE = "advik_admin"
OTHER_PREFIX = "migtest_"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MONEY = sa.Numeric(12, 2)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (coupon, booking_ref, created_at, status, subtotal, discount). Whole seconds near slot
# edges: MariaDB keeps DATETIME to the second (and MySQL would round .999999 up).
REDEMPTIONS = [
    (1, "a1", at("2024-03-10 09:00:00.250000"), "redeemed", "19.99", "2.00"),
    (1, "a2", at("2024-03-10 09:14:59"), "redeemed", "100.00", "10.00"),  # same slot as a1
    (1, "a3", at("2024-03-10 09:07:30"), "cancelled", "50.00", "5.00"),  # same slot, cancelled
    (1, "a4", at("2024-03-10 09:15:00"), "redeemed", "0.05", "0.01"),  # the next slot
    (1, "a5", at("2024-03-11 23:59:59"), "redeemed", "12.34", "1.23"),  # another day
    (1, "a6", at("2024-03-12 00:00:00"), "cancelled", "40.00", "4.00"),  # a slot of its own
    (2, "b1", at("2024-03-10 09:03:00"), "redeemed", "30.00", "7.50"),  # a1's slot, coupon 2
    (2, "b2", at("2025-01-01 00:07:00.999999"), "redeemed", "8.00", "8.00"),
]


def expected_buckets() -> list[tuple[int, ...]]:
    """The rollup worked out here: slot = whole 900 s since the epoch (UTC)."""
    rows: defaultdict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for coupon_id, _ref, moment, status, subtotal, discount in REDEMPTIONS:
        slot = int((moment - EPOCH).total_seconds()) // 900
        counters = rows[coupon_id, slot]
        if status == "cancelled":
            counters[1] += 1
        else:
            counters[0] += 1
            counters[2] += int(Decimal(subtotal) * 100)
            counters[3] += int(Decimal(discount) * 100)
    return sorted((c, s, *counts) for (c, s), counts in rows.items())


def test_expected_numbers_cover_the_cases() -> None:
    slot = 1_900_068  # 2024-03-10 09:00-09:15 UTC
    assert slot * 900 == at("2024-03-10 09:00:00").timestamp()
    assert expected_buckets() == [
        (1, slot, 2, 1, 11999, 1200),  # two redeemed and one cancelled in a slot
        (1, slot + 1, 1, 0, 5, 1),
        (1, slot + 155, 1, 0, 1234, 123),  # 2024-03-11 23:45
        (1, slot + 156, 0, 1, 0, 0),  # only a cancelled one
        (2, slot, 1, 0, 3000, 750),
        (2, 1_928_544, 1, 0, 800, 800),  # 2025-01-01 00:00
    ]


def tables(prefix: str) -> tuple[sa.TableClause, sa.TableClause, sa.TableClause]:
    """The 0001_initial columns the test fills, and the rollup 0002_admin adds."""
    coupons = sa.table(
        prefix + "coupons",
        *(sa.column(name, sa.String) for name in (
            "name", "description", "discount_type", "audience", "days_of_week",
            "booking_types", "recurring_scope")),
        sa.column("id", sa.Integer), sa.column("discount_value", MONEY),
        sa.column("once_per_customer", sa.Boolean), sa.column("active", sa.Boolean),
        sa.column("min_subtotal", MONEY), sa.column("max_subtotal", MONEY),
        sa.column("used", sa.Integer),
        *(sa.column(name, UTCDateTime) for name in ("starts_at", "created_at", "updated_at")),
    )
    redemptions = sa.table(
        prefix + "redemptions",
        *(sa.column(name, sa.String) for name in (
            "code", "booking_ref", "booking_type", "discount_type", "recurring_scope",
            "status", "source")),
        sa.column("coupon_id", sa.Integer), sa.column("occurrence", sa.Integer),
        *(sa.column(name, MONEY) for name in (
            "subtotal", "discount", "tax", "total", "discount_value")),
        sa.column("consumed_use", sa.Boolean), sa.column("created_at", UTCDateTime),
        sa.column("cancelled_at", UTCDateTime),
    )
    buckets = sa.table(
        prefix + "redemption_buckets",
        *(sa.column(name, sa.Integer) for name in (
            "coupon_id", "bucket", "redeemed", "cancelled", "subtotal_cents",
            "discount_cents")),
    )
    return coupons, redemptions, buckets


def fill(connection: Connection, prefix: str) -> None:
    coupons, redemptions, _ = tables(prefix)
    moment = at("2024-01-01 00:00:00")
    connection.execute(coupons.insert(), [
        {"id": coupon_id, "name": f"Coupon {coupon_id}", "description": "",
         "discount_type": "percent", "discount_value": Decimal("10"), "audience": "all",
         "days_of_week": "", "booking_types": "one_time,recurring",
         "recurring_scope": "first", "once_per_customer": False, "active": True,
         "min_subtotal": Decimal("0"), "max_subtotal": Decimal("0"), "used": 0,
         "starts_at": moment, "created_at": moment, "updated_at": moment}
        for coupon_id in (1, 2)])
    connection.execute(redemptions.insert(), [
        {"coupon_id": coupon_id, "code": f"C{coupon_id}", "booking_ref": ref,
         "occurrence": 0, "booking_type": "one_time", "subtotal": Decimal(subtotal),
         "discount": Decimal(discount), "tax": Decimal("0"),
         "total": Decimal(subtotal) - Decimal(discount), "discount_type": "fixed",
         "discount_value": Decimal(discount), "recurring_scope": "first",
         "consumed_use": status != "cancelled", "status": status, "source": "api",
         "created_at": created,
         "cancelled_at": created if status == "cancelled" else None}
        for coupon_id, ref, created, status, subtotal, discount in REDEMPTIONS])


def read_buckets(connection: Connection, prefix: str) -> list[tuple[int, ...]]:
    buckets = tables(prefix)[2]
    rows = connection.execute(sa.select(*buckets.c)).all()
    return sorted(tuple(int(value) for value in row) for row in rows)


def migrate(engine: Engine, revision: str) -> None:
    """What :func:`advik_coupons.store.schema.upgrade` runs, up to a given revision."""
    with engine.connect() as connection:
        command.upgrade(_config(connection), revision)
        connection.commit()


@pytest.fixture
def admin_mysql_url() -> URL:
    """The ``advik_admin`` database on the MariaDB of ``ADVIK_TEST_MYSQL_URL``."""
    server = create_engine_or_skip(make_url(MYSQL_URL).set(database=None))
    with server.begin() as connection:
        connection.execute(sa.text(
            f"CREATE DATABASE IF NOT EXISTS {ADMIN_DATABASE} CHARACTER SET utf8mb4"))
    server.dispose()
    return make_url(MYSQL_URL).set(database=ADMIN_DATABASE)


@pytest.fixture
def admin_postgres_url() -> URL:
    """``<test database>_admin`` on the PostgreSQL of ``ADVIK_TEST_PG_URL``."""
    url = make_url(PG_URL)
    url = url.set(database=f"{url.database}_admin")
    try:
        ensure_pg_database(url.render_as_string(hide_password=False))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("PostgreSQL at " + PG_URL.split("@")[-1], exc)
    return url


def create_engine_or_skip(url: URL) -> Engine:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        what = "PostgreSQL" if url.get_backend_name() == "postgresql" else "MariaDB"
        unavailable(what + " at " + url.render_as_string().split("@")[-1], exc)
    return engine


@pytest.fixture(params=["default", "other"])
def prefix(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default table prefix, or another one for the migrations only.

    ``use_table_prefix`` is once per process and renames the models; the migrations
    read the prefix through ``table_prefix()``, so swapping what it returns is enough.
    """
    if request.param == "default":
        return models.table_prefix()
    monkeypatch.setattr(models, "_prefix_in_use", [OTHER_PREFIX])
    assert models.table_prefix() == OTHER_PREFIX
    return OTHER_PREFIX


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> Iterator[Engine]:
    """An empty database with no tables of the prefix."""
    if request.param == "sqlite":
        found = sa.create_engine(f"sqlite:///{tmp_path}/backfill.sqlite")
        yield found
        found.dispose()
        return
    found = create_engine_or_skip(request.getfixturevalue(f"admin_{request.param}_url"))
    drop_plugin_tables(found, prefix)
    try:
        yield found
    finally:
        drop_plugin_tables(found, prefix)
        found.dispose()


def test_upgrade_backfills_the_rollup(engine: Engine, prefix: str) -> None:
    migrate(engine, "0001_initial")
    assert prefix + "redemption_buckets" not in sa.inspect(engine).get_table_names()
    with engine.begin() as connection:
        fill(connection, prefix)

    migrate(engine, "heads")

    assert current_heads(engine) == newest_heads()
    with engine.connect() as connection:
        migrated = read_buckets(connection, prefix)
    assert migrated == expected_buckets()

    if prefix + "redemption_buckets" not in models.Base.metadata.tables:
        return  # rebuild_buckets reads the models, named with the process's own prefix
    with engine.connect() as connection:
        rebuild_buckets(connection)
        rebuilt = read_buckets(connection, prefix)
        connection.rollback()
    assert migrated == rebuilt

