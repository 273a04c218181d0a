"""Benchmark: ``POST /coupons/apply`` against a no-op JSON route of the same app.

Both routes are served by one gunicorn (``bench/benchapp.py``; settings in
``bench/common.py``: sync workers, ``BENCH_WORKERS`` of them, default one per core), with
10,000 coupons stored, the Redis-backed apply rate limit ON (set high enough
never to reject) and funnel counting ON (defaults: terms cache 3 s, funnel
flush 2 s). Load: Debian's ``wrk`` on 127.0.0.1, POST bodies from
``apply.lua`` (codes drawn from the first ``--distinct`` coupons).

The two routes alternate for ``--rounds`` rounds at each connection count (a
slow spell of the shared 2-core machine then hits both); prints each route's
median round (requests/s, p50, p99), the median of the rounds' apply/no-op
ratios with every round's ratio, and each worker's peak RSS (VmHWM) after the
apply load.

With ``--lines A B`` it compares two apply bodies instead of apply and the
no-op: bookings of A line items against bookings of B line items (0: a bare
subtotal), alternating the same way, and prints the B/A ratio (the goal for
5 lines against 1 is at least 0.9).

    .venv/bin/python bench/apply.py                 # SQLite and MariaDB, 8 and 32 connections
    .venv/bin/python bench/apply.py --db mysql --seconds 5
    .venv/bin/python bench/apply.py --lines 1 5     # a 5-line booking against a 1-line one
    .venv/bin/python bench/apply.py --locale de     # answers translated (German catalog)
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import httpx
import redis
from common import (
    BENCH,
    DB_KINDS,
    REDIS_URL,
    WORKERS,
    WrkResult,
    app_env,
    database_url,
    init_db,
    run_wrk,
    seed_coupons,
    start_gunicorn,
    workdir,
)

GOAL_RATIO = 0.6
GOAL_LINES_RATIO = 0.9
GOAL_P99_MS = 10.0


def bench_db(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = workdir(f"apply-{kind}")
    url = database_url(kind, folder)
    extra = {"ADVIK_RATELIMIT_STORAGE_URL": "memory://"} if args.limits == "memory" else {}
    if args.cache_seconds is not None:
        extra["ADVIK_QUOTE_CACHE_SECONDS"] = str(args.cache_seconds)
    if args.metrics:  # as in production with several workers: multiprocess mode
        (folder / "prometheus").mkdir(parents=True, exist_ok=True)
        extra.update(ADVIK_METRICS_PATH="/metrics",
                     PROMETHEUS_MULTIPROC_DIR=str(folder / "prometheus"))
    env = app_env(url, folder, **extra)
    init_db(env)
    seed_coupons(url, args.coupons)
    server = start_gunicorn("benchapp:create_bench_app()", env, folder, chdir=BENCH)
    results: dict[str, Any] = {"db": kind, "coupons": args.coupons, "points": [],
                               "limits": args.limits, "metrics": args.metrics}
    try:
        probe = httpx.post(server.url + "/coupons/apply", timeout=10, json={
            "code": "BENCH000001", "subtotal": "120.00", "email": "ann@example.com",
            **({"locale": args.locale} if args.locale else {})})
        assert probe.status_code == 200, probe.text
        if args.limits == "redis":
            counted = redis.Redis.from_url(REDIS_URL).keys("*advik_apply*")
            assert counted, "the apply rate limit must be on, counting in Redis"
        cases = case_names(args)
        for connections in args.connections:
            point: dict[str, Any] = {"connections": connections}
            rounds: dict[str, list[WrkResult]] = {name: [] for name in cases}
            for route, lines in cases.values():
                run_wrk(f"{server.url}/{route}", BENCH / "apply.lua", connections, 2,
                        [str(args.distinct), str(lines), args.locale])  # warm-up
            # Alternate the two cases, round after round, so a slow spell of the shared
            # machine hits both; each case's figures are those of its median round.
            ratios = []
            first, second = list(cases)
            for _ in range(args.rounds):
                for name, (route, lines) in cases.items():
                    rounds[name].append(run_wrk(f"{server.url}/{route}", BENCH / "apply.lua",
                                                connections, args.seconds,
                                                [str(args.distinct), str(lines), args.locale]))
                ratios.append(rounds[second][-1].requests_per_second
                              / rounds[first][-1].requests_per_second)
            for route, found in rounds.items():
                point[route] = sorted(found, key=lambda r: r.requests_per_second)[len(found) // 2]
            point["ratio"] = statistics.median(ratios)
            point["ratios"] = ratios
            results["points"].append(point)
        if args.metrics:
            scraped = httpx.get(server.url + "/metrics", timeout=10).text
            assert 'advik_coupon_attempts_total{operation="apply"' in scraped, scraped[:500]
        results["peak_rss_mib"] = server.peak_rss_mib()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def case_names(args: argparse.Namespace) -> dict[str, tuple[str, int]]:
    """The two things measured against each other: name → (route, line items per body)."""
    if args.lines:
        low, high = args.lines
        return {f"apply, {low} lines": ("coupons/apply", low),
                f"apply, {high} lines": ("coupons/apply", high)}
    return {"noop": ("noop", 0), "coupons/apply": ("coupons/apply", 0)}


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n== {results['db']}: {results['coupons']} coupons, {WORKERS} sync workers, "
          f"rate limit counted in {results['limits']}, "
          f"metrics {'on' if results.get('metrics') else 'off'} ==")
    first, second = list(case_names(args))
    goal = GOAL_LINES_RATIO if args.lines else GOAL_RATIO
    for point in results["points"]:
        c = point["connections"]
        for name in (first, second):
            print(f"  {c:3d} conns  {name:16s} {point[name].row()}")
        each = ", ".join(f"{r:.2f}" for r in point["ratios"])
        goals = [f"median ratio {point['ratio']:.2f}x of rounds {each} (goal >= {goal})"]
        if c == 8 and not args.lines:
            goals.append(f"p99 {point[second].p99_ms:.2f} ms (goal < {GOAL_P99_MS})")
        print(f"               {second} / {first}: " + ", ".join(goals))
        bad = point[second].extra.get("non_2xx", 0) + point[second].errors
        if bad:
            print(f"               WARNING: {bad} apply answers were not 2xx")
    peaks = results["peak_rss_mib"]
    print(f"  peak RSS per worker (VmHWM): max {max(peaks):.1f} MiB, "
          f"mean {sum(peaks) / len(peaks):.1f} MiB over {len(peaks)} workers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgres", "both", "all"],
                        default="both", help="both: SQLite and MariaDB; all: and PostgreSQL")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=6, help="per route and round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating no-op/apply rounds; medians are reported")
    parser.add_argument("--coupons", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=100,
                        help="how many different codes the load applies")
    parser.add_argument("--cache-seconds", type=float, default=None,
                        help="ADVIK_QUOTE_CACHE_SECONDS for the server (default: the app's)")
    parser.add_argument("--limits", choices=["redis", "memory"], default="redis",
                        help="where the (always on) apply rate limit counts: Redis, shared by "
                             "every worker (production), or each worker's memory (the default "
                             "setting, one process)")
    parser.add_argument("--lines", type=int, nargs=2, metavar=("A", "B"),
                        help="compare apply bodies of A and B line items instead of apply "
                             "and the no-op (e.g. 1 5)")
    parser.add_argument("--metrics", action="store_true",
                        help="serve Prometheus metrics (ADVIK_METRICS_PATH, multiprocess mode)")
    parser.add_argument("--locale", default="",
                        help="the apply bodies' locale (e.g. de: translated answers); "
                             "default none (the site's language)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    kinds = {"both": ["sqlite", "mysql"], "all": list(DB_KINDS)}.get(args.db, [args.db])
    everything = []
    for kind in kinds:
        results = bench_db(kind, args)
        report(results, args)
        everything.append(results)
    if args.json:
        args.json.write_text(json.dumps(everything, default=lambda o: o.__dict__, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
