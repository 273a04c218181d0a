"""The overview across coupons at scale: 1,000 coupons, 1,000,000 redemptions, 200,000
ledger bookings.

Loads the coupons, the redemptions (spread over the last year, 2 % cancelled) and the
ledger (200,000 bookings of 40,000 customers, three in four of them the redemptions'
bookings and one in four without a coupon, so the "new customers", "booked again"
and "average without a coupon" figures have work to do) with ``INSERT … SELECT`` over
a digits table, builds the rollup with ``rebuild_buckets``, then times, for the last
30 days and for the whole year: the overview's figures (``store.overview.overview``)
and the whole page (``GET /admin/`` through the test client, logged in). The
baseline, measured in the same run, is the per-coupon bookings, revenue and
discounts summed straight from the redemptions (what the figures would cost without
the rollup). The goal: the page under 500 ms.

    .venv/bin/python bench/overview.py                  # SQLite (temp file)
    .venv/bin/python bench/overview.py --db mysql       # MariaDB (a fresh database)
    .venv/bin/python bench/overview.py --db postgres

Tables are prefixed ``bench_``, so a database's own plugin tables are left alone.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import database_url
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

PREFIX = "bench_"
YEAR = 365 * 86400
GOAL_MS = 500.0


def since(engine: Engine, seconds: str) -> str:
    """SQL for ``:base`` minus ``seconds`` (an SQL expression) in this database."""
    name = engine.dialect.name
    if name in {"mysql", "mariadb"}:
        return f"DATE_SUB(:base, INTERVAL ({seconds}) SECOND)"
    if name == "postgresql":
        return f"CAST(:base AS timestamp) - make_interval(secs => ({seconds}))"
    return f"datetime(:base, '-' || ({seconds}) || ' seconds')"


def text_of(engine: Engine, *parts: str) -> str:
    if engine.dialect.name in {"mysql", "mariadb"}:
        return "CONCAT(" + ", ".join(parts) + ")"
    return " || ".join(parts)


def as_text(engine: Engine, number: str) -> str:
    kind = "CHAR(12)" if engine.dialect.name in {"mysql", "mariadb"} else "VARCHAR(12)"
    return f"CAST({number} AS {kind})"


def load(engine: Engine, coupons: int, rows: int, ledger: int, now: datetime) -> None:
    base = now.replace(tzinfo=None, microsecond=0)
    created = since(engine, "s.n * 7919 % :span")  # a prime step: spread over the year
    ref = text_of(engine, "'bk-'", as_text(engine, "s.n"))
    plain = text_of(engine, "'plain-'", as_text(engine, "s.n"))
    email = text_of(engine, "'c'", as_text(engine, "s.n % 40000"), "'@example.com'")
    subtotal = "(50 + (s.n % 200) + (s.n % 100) / 100.0)"
    discount = f"ROUND({subtotal} * 0.10, 2)"
    numbers = (f"(SELECT a.n * 1000000 + b.n * 1000 + c.n AS n FROM {PREFIX}digits a "
               f"CROSS JOIN {PREFIX}digits b CROSS JOIN {PREFIX}digits c "
               "WHERE a.n < 2) s")
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {PREFIX}digits (n INTEGER PRIMARY KEY)"))
        connection.execute(text(f"INSERT INTO {PREFIX}digits (n) VALUES (:n)"),
                           [{"n": n} for n in range(1000)])
        stamp = {"base": base}
        connection.execute(text(f"""
            INSERT INTO {PREFIX}coupons (id, name, description, discount_type, discount_value,
              audience, starts_at, days_of_week, once_per_customer, min_subtotal, max_subtotal,
              booking_types, recurring_scope, active, used, combinable, created_at, updated_at)
            SELECT s.n + 1, {text_of(engine, "'Campaign '", as_text(engine, "s.n"))},
                   '', 'percent', 10, 'all', {since(engine, str(2 * YEAR))}, '', FALSE, 0, 0,
                   'one_time,recurring', 'first', TRUE, 0, FALSE, :base, :base
            FROM {numbers} WHERE s.n < :coupons"""), {**stamp, "coupons": coupons})
        connection.execute(text(f"""
            INSERT INTO {PREFIX}coupon_codes (coupon_id, code, is_primary, single_use,
                                              created_at)
            SELECT id, {text_of(engine, "'CAMPAIGN'", as_text(engine, "id"))},
                   TRUE, FALSE, :base FROM {PREFIX}coupons"""), stamp)
        connection.execute(text(f"""
            INSERT INTO {PREFIX}redemptions
              (coupon_id, code_id, code, booking_ref, series_ref, occurrence, email, email_key,
               booking_date, booking_type, subtotal, discount, tax, total, discount_type,
               discount_value, recurring_scope, consumed_use, status, source, created_at,
               cancelled_at)
            SELECT (s.n % :coupons) + 1, NULL, 'CAMPAIGN', {ref}, NULL, 0, {email}, {email},
                   NULL, 'one_time', {subtotal}, {discount}, 0, {subtotal} - {discount},
                   'percent', 10, 'first', TRUE,
                   CASE WHEN s.n % 50 = 0 THEN 'cancelled' ELSE 'redeemed' END,
                   'api', {created}, NULL
            FROM {numbers} WHERE s.n < :rows"""),
                           {**stamp, "coupons": coupons, "rows": rows, "span": YEAR})
        connection.execute(text(f"""
            INSERT INTO {PREFIX}bookings (booking_ref, email, email_key, subtotal, status,
                                          with_coupon, created_at)
            SELECT CASE WHEN s.n % 4 = 0 THEN {plain} ELSE {ref} END, {email}, {email},
                   {subtotal}, 'confirmed', s.n % 4 <> 0, {created}
            FROM {numbers} WHERE s.n < :ledger"""), {**stamp, "ledger": ledger, "span": YEAR})
        connection.execute(text(f"DROP TABLE {PREFIX}digits"))


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
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgres"], default="sqlite")
    parser.add_argument("--coupons", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.rows <= 2_000_000 or args.ledger > args.rows:
        parser.error("--rows must be 1 to 2,000,000 and --ledger at most --rows")
    folder = Path(tempfile.mkdtemp(prefix="advik-bench-"))
    url = database_url(args.db, folder)

    from advik_coupons import create_app
    from advik_coupons.services.accounts import create_admin
    from advik_coupons.state import get_state
    from advik_coupons.store.models import Redemption
    from advik_coupons.store.overview import overview
    from advik_coupons.store.schema import upgrade
    from advik_coupons.store.tracking import rebuild_buckets

    app = create_app({"SECRET_KEY": "bench", "ADVIK_DATABASE_URL": url,
                      "INSTANCE_PATH": str(folder), "ADVIK_TABLE_PREFIX": PREFIX,
                      "ADVIK_HOOKS_DIR": "", "WTF_CSRF_ENABLED": False})
    now = datetime.now(UTC)
    with app.app_context():
        state = get_state()
        engine = state.engine
        upgrade(engine)
        create_admin("bench@example.com", "bench-password")
        started = time.perf_counter()
        load(engine, args.coupons, args.rows, args.ledger, now)
        with engine.begin() as connection:
            rebuild_buckets(connection)
        loaded = time.perf_counter() - started
        print(f"{args.db}: {args.coupons:,} coupons, {args.rows:,} redemptions, "
              f"{args.ledger:,} ledger bookings loaded in {loaded:.1f} s")
        today = now.astimezone(state.tz).date()
        session = state.session
        figures: dict[str, float] = {}
        for label, start in (("30 days", today - timedelta(days=29)),
                             ("12 months", today - timedelta(days=364))):
            ms, result = timed(lambda s=start: overview(session, s, today, state.tz),
                               args.repeat)
            session.rollback()
            figures[label] = ms
            won = sum(r.new_customers for r in result.coupons)
            print(f"  overview figures, {label:9s}: {ms:8.1f} ms  ({len(result.coupons)} "
                  f"coupons, {result.totals().bookings:,} bookings, {won:,} new customers)")
        low = datetime.combine(today - timedelta(days=29), datetime.min.time(), tzinfo=UTC)

        def raw() -> Any:
            r = Redemption
            return session.execute(
                select(r.coupon_id, func.count(), func.sum(r.subtotal - r.discount),
                       func.sum(r.discount))
                .where(r.created_at >= low, r.status == "redeemed")
                .group_by(r.coupon_id)).all()

        baseline, _rows = timed(raw, args.repeat)
        session.rollback()
        print(f"  baseline: bookings, revenue and discounts from the redemptions, 30 days: "
              f"{baseline:8.1f} ms")
    client = app.test_client()
    client.post("/admin/login", data={"email": "bench@example.com",
                                      "password": "bench-password"})
    for label, key in (("30 days", "30d"), ("12 months", "12m")):
        ms, page = timed(lambda k=key: client.get(f"/admin/?range={k}"), args.repeat)
        assert page.status_code == 200, page.status_code
        assert re.search(r"CAMPAIGN\d+", page.get_data(as_text=True))
        verdict = "goal met" if ms < GOAL_MS else "GOAL MISSED"
        print(f"  whole page GET /admin/, {label:9s}: {ms:8.1f} ms  (goal < {GOAL_MS:.0f} ms: "
              f"{verdict}); figures vs baseline {figures[label] / baseline:.2f}x")
    with app.app_context():
        get_state().engine.dispose()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
