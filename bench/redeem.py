"""Benchmark: redemptions of ONE coupon under contention, on MariaDB or PostgreSQL, with counts.

Every request redeems the same code for a new booking (``redeem.lua``: distinct
booking_ref and e-mail per request), so every request queues on the coupon's
row lock — the worst case for a limited coupon. Same gunicorn settings as
``apply.py`` (``bench/common.py``). After each run the database is checked:
``used`` equals the number of redemption rows, the rows cover every ``201``
the clients saw, and a limited coupon never goes past its ``max_uses``.

    .venv/bin/python bench/redeem.py
    .venv/bin/python bench/redeem.py --connections 8 --seconds 5
    .venv/bin/python bench/redeem.py --db postgres
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from common import (
    BENCH,
    WORKERS,
    WrkResult,
    app_env,
    database_url,
    init_db,
    make_token,
    run_wrk,
    seed_coupons,
    start_gunicorn,
    workdir,
)
from sqlalchemy import create_engine, text


def counts(url: str, code: str) -> tuple[int, int, int | None]:
    """(used, redemption rows, max_uses) of the coupon behind ``code``."""
    engine = create_engine(url)
    with engine.connect() as connection:
        cid, used, max_uses = connection.execute(text(
            "SELECT c.id, c.used, c.max_uses FROM advik_coupons c JOIN advik_coupon_codes k "
            "ON k.coupon_id = c.id WHERE k.code = :code"), {"code": code}).one()
        rows = connection.execute(text(
            "SELECT COUNT(*) FROM advik_redemptions WHERE coupon_id = :cid"), {"cid": cid}
        ).scalar_one()
    engine.dispose()
    return int(used), int(rows), max_uses


def run_point(server_url: str, db_url: str, token: str, code: str, connections: int,
              seconds: int) -> dict[str, Any]:
    result: WrkResult = run_wrk(server_url + "/api/v1/redemptions", BENCH / "redeem.lua",
                                connections, seconds, [code, token])
    used, rows, max_uses = counts(db_url, code)
    created = result.extra.get("created", 0)
    rejected = result.extra.get("rejected", 0)
    ok = (used == rows and created <= rows <= created + connections
          and (max_uses is None or rows <= max_uses))
    if max_uses is not None and rejected:  # once anyone was turned away, the limit was full
        ok = ok and rows == max_uses == created
    return {"code": code, "connections": connections, "wrk": result, "used": used,
            "rows": rows, "max_uses": max_uses, "created": created, "ok": ok,
            "created_per_second": created / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--limited", type=int, default=200,
                        help="max_uses of the coupon of the limited run")
    parser.add_argument("--db", choices=["mysql", "postgres"], default="mysql")
    args = parser.parse_args()
    folder = workdir("redeem")
    url = database_url(args.db, folder)
    env = app_env(url, folder)
    init_db(env)
    token = make_token(env)
    seed_coupons(url, 10_000)
    hot_codes = seed_coupons(url, len(args.connections), prefix="HOT")  # unlimited
    hot_codes += seed_coupons(url, 1, prefix="LIMITED", max_uses=args.limited)
    server = start_gunicorn("benchapp:create_bench_app()", env, folder, chdir=BENCH)
    points = []
    try:
        for code, connections in zip(hot_codes[:-1], args.connections, strict=True):
            points.append(run_point(server.url, url, token, code, connections, args.seconds))
        points.append(run_point(server.url, url, token, hot_codes[-1], max(args.connections),
                                min(args.seconds, 5)))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    name = {"mysql": "MariaDB", "postgres": "PostgreSQL"}[args.db]
    print(f"\n== redeem one hot coupon on {name}, {WORKERS} sync workers ==")
    for p in points:
        limit = f"max_uses {p['max_uses']}" if p["max_uses"] is not None else "unlimited"
        print(f"  {p['connections']:3d} conns  {limit:14s} {p['wrk'].row()}")
        print(f"               201s seen {p['created']}, rows {p['rows']}, used {p['used']}, "
              f"422s {p['wrk'].extra.get('rejected', 0)}, other {p['wrk'].extra.get('other', 0)}"
              f"  -> counts {'OK' if p['ok'] else 'WRONG'}")
    unlimited = [p for p in points if p["max_uses"] is None]
    for p in unlimited:
        print(f"  redemptions/s at {p['connections']} connections: {p['created_per_second']:.0f}")
    if not all(p["ok"] for p in points):
        sys.exit("counts WRONG")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
