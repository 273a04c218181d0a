"""Benchmark: what the Prometheus metrics cost ``POST /coupons/apply``.

Two gunicorns on one SQLite file (``bench/benchapp.py``, the Redis-backed apply limit
on, as in ``bench/apply.py``): one with ``ADVIK_METRICS_PATH`` and
``PROMETHEUS_MULTIPROC_DIR`` (the production set-up with several workers), one
without. ``wrk`` loads them in turn, round after round (a slow spell of the shared
machine hits both), and the script prints each server's median round and the
median of the rounds' on/off ratios (the goal: at least 0.95, i.e. within 5 %).
After the load it scrapes the metered server once to show the applies were counted.

    .venv/bin/python bench/metrics_cost.py --seconds 3 --rounds 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics

import httpx
from common import (
    BENCH,
    WrkResult,
    app_env,
    database_url,
    init_db,
    run_wrk,
    seed_coupons,
    start_gunicorn,
    workdir,
)

GOAL = 0.95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=3, help="per server and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--coupons", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=100)
    args = parser.parse_args()
    folder = workdir("metrics")
    url = database_url("sqlite", folder)
    base = app_env(url, folder)
    init_db(base)
    seed_coupons(url, args.coupons)
    (folder / "prometheus").mkdir()
    metered = {**base, "ADVIK_METRICS_PATH": "/metrics",
               "PROMETHEUS_MULTIPROC_DIR": str(folder / "prometheus")}
    servers = {"metrics off": start_gunicorn("benchapp:create_bench_app()", base, folder,
                                             chdir=BENCH)}
    try:
        servers["metrics on"] = start_gunicorn("benchapp:create_bench_app()", metered,
                                               folder, chdir=BENCH)
        rounds: dict[str, list[WrkResult]] = {name: [] for name in servers}
        for server in servers.values():
            run_wrk(f"{server.url}/coupons/apply", BENCH / "apply.lua", args.connections, 2,
                    [str(args.distinct), "0"])  # warm-up
        ratios = []
        for _ in range(args.rounds):
            for name, server in servers.items():
                rounds[name].append(run_wrk(f"{server.url}/coupons/apply", BENCH / "apply.lua",
                                            args.connections, args.seconds,
                                            [str(args.distinct), "0"]))
            ratios.append(rounds["metrics on"][-1].requests_per_second
                          / rounds["metrics off"][-1].requests_per_second)
        print(f"\n== sqlite: {args.coupons} coupons, apply at {args.connections} connections ==")
        for name, found in rounds.items():
            median = sorted(found, key=lambda r: r.requests_per_second)[len(found) // 2]
            print(f"  {name:12s} {median.row()}")
        each = ", ".join(f"{r:.3f}" for r in ratios)
        print(f"  on / off: median ratio {statistics.median(ratios):.3f} of rounds {each} "
              f"(goal >= {GOAL})")
        scraped = httpx.get(servers["metrics on"].url + "/metrics", timeout=10).text
        counted = [line for line in scraped.splitlines()
                   if line.startswith('advik_request_duration_seconds_count{operation="apply"')]
        print("  scraped: " + (counted[0] if counted else "NO APPLY COUNTED"))
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
