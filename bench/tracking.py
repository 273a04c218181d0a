"""Tracking at scale: the coupon view with 1,000,000 redemptions on one coupon.

Loads N redemptions (default 1,000,000, all inside the last 90 days — the
worst case for a 90-day range) into one coupon with a single
``INSERT … SELECT`` over a 1,000-row digits table, builds the rollup with
:func:`advik_coupons.store.tracking.rebuild_buckets`, then times, for the 90-day
range: the summary + chart (``coupon_stats``; also over 12 months), the funnel
(``coupon_funnel``), and the whole page (``GET /admin/coupons/<id>?range=90d``
through the test client, logged in). The baseline, measured in the same run,
is the same summary + chart computed straight from the redemptions over
their covering index (what the page would cost without the rollup).

    .venv/bin/python bench/tracking.py                        # SQLite (temp file)
    .venv/bin/python bench/tracking.py --url 'mysql+pymysql://root@127.0.0.1:3306/DB'
    .venv/bin/python bench/tracking.py --db mysql       # or postgres: bench/common.py's URLs

Tables are prefixed ``bench_`` (dropped and re-created), so the plugin's own
tables in that database are left alone.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from common import database_url
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine

PREFIX = "bench_"
SECONDS_90_DAYS = 90 * 86400


def drop_bench_tables(url: str) -> None:
    engine = create_engine(url)
    names = [n for n in inspect(engine).get_table_names() if n.startswith(PREFIX)]
    with engine.begin() as connection:
        if engine.dialect.name in {"mysql", "mariadb"}:
            connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
        for name in names:
            connection.execute(text(f"DROP TABLE IF EXISTS {name}{cascade}"))
    engine.dispose()


def load(engine: Engine, coupon_id: int, rows: int, now: datetime) -> None:
    """N redemptions spread over the last 90 days, 2 % of them cancelled."""
    mysql = engine.dialect.name in {"mysql", "mariadb"}
    base = now.replace(tzinfo=None, microsecond=0)
    if mysql:
        created = "DATE_SUB(:base, INTERVAL (s.n * 7 % :span) SECOND)"
        ref = "CONCAT('bk-', s.n)"
    elif engine.dialect.name == "postgresql":
        created = "CAST(:base AS timestamp) - make_interval(secs => (s.n * 7 % :span))"
        ref = "'bk-' || s.n"
    else:
        created = "datetime(:base, '-' || (s.n * 7 % :span) || ' seconds')"
        ref = "'bk-' || s.n"
    subtotal = "(50 + (s.n % 200) + (s.n % 100) / 100.0)"
    discount = f"ROUND({subtotal} * 0.10, 2)"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {PREFIX}digits (n INTEGER PRIMARY KEY)"))
        connection.execute(text(f"INSERT INTO {PREFIX}digits (n) VALUES (:n)"),
                           [{"n": n} for n in range(1000)])
        connection.execute(text(f"""
            INSERT INTO {PREFIX}redemptions
              (coupon_id, code_id, code, booking_ref, series_ref, occurrence, email,
               booking_date, booking_type, subtotal, discount, tax, total, discount_type,
               discount_value, recurring_scope, consumed_use, status, source, created_at,
               cancelled_at)
            SELECT :coupon_id, NULL, 'BENCH10', {ref}, NULL, 0, NULL, NULL, 'one_time',
                   {subtotal}, {discount}, 0, {subtotal} - {discount}, 'percent', 10,
                   'first', 1 = 1, CASE WHEN s.n % 50 = 0 THEN 'cancelled' ELSE 'redeemed' END,
                   'api', {created}, NULL
            FROM (SELECT a.n * 1000 + b.n AS n FROM {PREFIX}digits a
                  CROSS JOIN {PREFIX}digits b) s
            WHERE s.n < :rows"""), {"coupon_id": coupon_id, "base": base,
                                     "span": SECONDS_90_DAYS, "rows": rows})
        connection.execute(text(f"DROP TABLE {PREFIX}digits"))
        connection.execute(text(f"UPDATE {PREFIX}coupons SET used = :used WHERE id = :id"),
                           {"used": rows - rows // 50, "id": coupon_id})


def load_funnel(engine: Engine, coupon_id: int, today: date) -> None:
    metrics = {"tried": 900, "applied": 700, "below_minimum": 120, "expired": 30,
               "day_not_allowed": 50, "redeem_usage_limit_reached": 5}
    rows = [{"c": coupon_id, "d": today - timedelta(days=n), "m": m, "k": k + n}
            for n in range(120) for m, k in metrics.items()]
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO {PREFIX}coupon_daily_stats "
                                "(coupon_id, day, metric, count) VALUES (:c, :d, :m, :k)"), rows)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs (after one warm-up) and the last result."""
    result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgres"], default=None,
                        help="instead of --url: bench/common.py's database of that kind")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not 1 <= args.rows <= 1_000_000:
        parser.error("--rows must be from 1 to 1,000,000")
    folder = tempfile.mkdtemp(prefix="advik-bench-")
    url = args.url or f"sqlite:///{folder}/bench.sqlite"
    if args.db and not args.url:
        url = database_url(args.db, Path(folder))
    drop_bench_tables(url)

    from advik_coupons import create_app
    from advik_coupons.domain.coupon import defaults
    from advik_coupons.domain.rules import start_of_day
    from advik_coupons.services.accounts import create_admin
    from advik_coupons.services.coupons import create_coupon
    from advik_coupons.state import get_state
    from advik_coupons.store.models import Redemption
    from advik_coupons.store.schema import upgrade
    from advik_coupons.store.tracking import coupon_funnel, coupon_stats, rebuild_buckets

    app = create_app({"SECRET_KEY": "bench", "ADVIK_DATABASE_URL": url, "INSTANCE_PATH": folder,
                      "ADVIK_TABLE_PREFIX": PREFIX, "ADVIK_HOOKS_DIR": "",
                      "WTF_CSRF_ENABLED": False})
    now = datetime.now(UTC)
    with app.app_context():
        state = get_state()
        engine = state.engine
        upgrade(engine)
        values: dict[str, Any] = defaults()
        values.update(name="Bench", code="BENCH10", discount_value=Decimal("10"),
                      starts_at=now - timedelta(days=400))
        coupon_id = create_coupon(values).id
        create_admin("bench@example.com", "bench-password")
        started = time.perf_counter()
        load(engine, coupon_id, args.rows, now)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with engine.begin() as connection:
            rebuild_buckets(connection, coupon_id)
        rolled = time.perf_counter() - started
        today = now.astimezone(state.tz).date()
        load_funnel(engine, coupon_id, today)
        start_day = today - timedelta(days=89)
        session = state.session

        def summary_and_chart() -> Any:
            stats = coupon_stats(session, coupon_id, start_day, today, "day", state.tz)
            session.rollback()
            return stats

        def funnel() -> Any:
            stats = coupon_stats(session, coupon_id, start_day, today, "day", state.tz)
            result = coupon_funnel(session, coupon_id, stats)
            session.rollback()
            return result

        lo = start_of_day(start_day, state.tz).astimezone(UTC)
        hi = start_of_day(today + timedelta(days=1), state.tz).astimezone(UTC)
        day_expr = func.date(Redemption.created_at)

        def baseline() -> Any:
            """Summary + chart straight from the redemptions (covering index, no rollup)."""
            rows = session.execute(
                select(day_expr, Redemption.status, func.count(), func.sum(Redemption.subtotal),
                       func.sum(Redemption.discount))
                .where(Redemption.coupon_id == coupon_id, Redemption.created_at >= lo,
                       Redemption.created_at < hi)
                .group_by(day_expr, Redemption.status)).all()
            session.rollback()
            return rows

        def year() -> Any:
            first = date(today.year - 1, today.month, 1)
            stats = coupon_stats(session, coupon_id, first, today, "month", state.tz)
            session.rollback()
            return stats

        stats_ms, stats = timed(summary_and_chart, args.repeat)
        year_ms, year_stats = timed(year, args.repeat)
        assert year_stats.bookings == stats.bookings
        funnel_ms, funnel_result = timed(funnel, args.repeat)
        base_ms, base_rows = timed(baseline, max(1, args.repeat // 3))
        live = [r for r in base_rows if r[1] != "cancelled"]
        assert stats.bookings == sum(int(r[2]) for r in live), "rollup disagrees with the rows"
        given = sum((Decimal(str(r[4])) for r in live), Decimal("0"))
        assert stats.discounts == given.quantize(Decimal("0.01")), "rollup disagrees"

    client = app.test_client()
    client.post("/admin/login", data={"email": "bench@example.com", "password": "bench-password"})
    path = f"/admin/coupons/{coupon_id}?range=90d"
    page_ms, response = timed(lambda: client.get(path), args.repeat)
    assert response.status_code == 200, response.status_code
    assert re.search(rf'id="stat-bookings">{stats.bookings}<', response.text)

    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    print(f"redemptions on one coupon: {args.rows:,} (load {loaded:.1f} s, rollup {rolled:.1f} s)")
    print(f"90-day range: {stats.bookings:,} bookings, revenue {stats.revenue}, "
          f"discounts {stats.discounts}, {stats.cancelled:,} cancelled; "
          f"funnel tried {funnel_result.tried:,}")
    print(f"summary + chart (rollup):        {stats_ms:8.1f} ms")
    print(f"summary + chart + funnel:        {funnel_ms:8.1f} ms")
    print(f"whole view page (GET, render):   {page_ms:8.1f} ms")
    print(f"12-month range, summary + chart: {year_ms:8.1f} ms")
    print(f"baseline, same from redemptions: {base_ms:8.1f} ms  "
          f"(rollup is {base_ms / max(stats_ms, 0.001):.0f}x faster)")
    ok = funnel_ms < 300 and page_ms < 300
    print("PASS: under 300 ms" if ok else "FAIL: 300 ms exceeded")
    with app.app_context():
        get_state().engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
