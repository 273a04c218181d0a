"""The admin coupon list with 100,000 coupons: every filter, sort and a deep page.

Loads N coupons (default 100,000) with their primary codes in two bulk
inserts, then times ``GET /admin/coupons?…`` (the whole request: the count,
the page, the primary codes in one query, the render) for the default view,
each sort, each status filter, a name search, a code search and deep pages.

    .venv/bin/python bench/admin_list.py                        # SQLite (temp file)
    .venv/bin/python bench/admin_list.py --url 'mysql+pymysql://root@127.0.0.1:3306/DB'

Tables are prefixed ``bench_`` (dropped and re-created first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

QUERIES = ["", "?sort=code", "?sort=used", "?status=active", "?status=inactive",
           "?status=scheduled", "?status=expired", "?status=used_up", "?status=archived",
           "?q=spring", "?q=C00999", "?page=2000", "?sort=code&page=3000"]


def rows_for(count: int, now: datetime) -> list[dict[str, Any]]:
    return [{"id": i + 1, "name": f"Campaign {i} {'spring' if i % 97 == 0 else 'autumn'}",
             "dt": "percent" if i % 2 else "fixed",
             "st": now - timedelta(days=i % 400) + timedelta(days=30 if i % 50 == 0 else 0),
             "en": now - timedelta(days=1) if i % 7 == 0 else None,
             "mx": i % 20 if i % 5 == 0 else None, "used": i % 23, "act": i % 11 != 0,
             "arch": now if i % 301 == 0 else None, "cr": now - timedelta(minutes=i),
             "code": f"C{i + 1:07d}"} for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None, help="database URL (default: temp SQLite)")
    parser.add_argument("--coupons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="advik-bench-")
    url = args.url or f"sqlite:///{folder}/list.sqlite"

    from advik_coupons import create_app
    from advik_coupons.services.accounts import create_admin
    from advik_coupons.state import get_state
    from advik_coupons.store.schema import upgrade
    from bench.tracking import PREFIX, drop_bench_tables

    drop_bench_tables(url)
    app = create_app({"SECRET_KEY": "bench", "ADVIK_DATABASE_URL": url, "INSTANCE_PATH": folder,
                      "ADVIK_TABLE_PREFIX": PREFIX, "ADVIK_HOOKS_DIR": "",
                      "WTF_CSRF_ENABLED": False})
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with app.app_context():
        engine = get_state().engine
        upgrade(engine)
        create_admin("bench@example.com", "bench-password")
        rows = rows_for(args.coupons, now)
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(text(
                f"INSERT INTO {PREFIX}coupons (id, name, description, discount_type, "
                "discount_value, audience, starts_at, ends_at, days_of_week, max_uses, "
                "once_per_customer, min_subtotal, max_subtotal, booking_types, "
                "recurring_scope, active, archived_at, used, created_at, updated_at) VALUES "
                "(:id, :name, '', :dt, 10, 'all', :st, :en, '', :mx, 0, 0, 0, "
                "'one_time,recurring', 'first', :act, :arch, :used, :cr, :cr)"), rows)
            connection.execute(text(
                f"INSERT INTO {PREFIX}coupon_codes (coupon_id, code, is_primary, single_use, "
                "created_at) VALUES (:id, :code, 1, 0, :cr)"), rows)
        loaded = time.perf_counter() - started
        dialect = engine.dialect.name
    client = app.test_client()
    client.post("/admin/login", data={"email": "bench@example.com", "password": "bench-password"})
    print(f"database: {dialect}; {args.coupons:,} coupons loaded in {loaded:.1f} s")
    worst = 0.0
    for query in QUERIES:
        client.get("/admin/coupons" + query)
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/admin/coupons" + query)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        median = statistics.median(samples)
        worst = max(worst, median)
        print(f"GET /admin/coupons{query:24s} {median:7.1f} ms")
    print(f"slowest: {worst:.1f} ms")
    with app.app_context():
        get_state().engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
