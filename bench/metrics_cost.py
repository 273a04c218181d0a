"""Benchmark: what the Prometheus metrics cost ``POST /coupons/apply``.

Two gunicorns on one SQLite file (``bench/benchapp.py``, the Redis-backed apply limit
on, as in ``bench/apply.py``): one with ``ADVIK_METRICS_PATH`` and
``PROMETHEUS_MULTIPROC_DIR`` (the production set-up with several workers), one
without. ``wrk`` loads them in turn, round after round (a slow spell of the shared
machine hits both), and the script prints each server's median round, the median
of the rounds' on/off throughput ratios, and — steadier on a busy machine — the
workers' CPU time per apply (``/proc/<pid>/stat``, user + system) of each server and
its on/off ratio (the goal for both: within 5 %).
After the load it scrapes the metered server once to show the applies were counted.

    .venv/bin/python bench/metrics_cost.py --seconds 3 --rounds 5
"""

from __future__ import annotations

import argparse
import os
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
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


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
        cpu: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, server in servers.items():
                pids = server.workers()
                before = cpu_seconds(pids)
                found = run_wrk(f"{server.url}/coupons/apply", BENCH / "apply.lua",
                                args.connections, args.seconds, [str(args.distinct), "0"])
                rounds[name].append(found)
                cpu[name].append((cpu_seconds(pids) - before) / max(found.requests, 1))
            ratios.append(rounds["metrics on"][-1].requests_per_second
                          / rounds["metrics off"][-1].requests_per_second)
        print(f"\n== sqlite: {args.coupons} coupons, apply at {args.connections} connections ==")
        for name, found in rounds.items():
            median = sorted(found, key=lambda r: r.requests_per_second)[len(found) // 2]
            print(f"  {name:12s} {median.row()}")
        each = ", ".join(f"{r:.3f}" for r in ratios)
        print(f"  throughput on / off: median ratio {statistics.median(ratios):.3f} of rounds "
              f"{each} (goal >= {GOAL})")
        per = {name: statistics.median(found) * 1000 for name, found in cpu.items()}
        print(f"  worker CPU per apply: off {per['metrics off']:.3f} ms, on "
              f"{per['metrics on']:.3f} ms, on / off {per['metrics on'] / per['metrics off']:.3f}"
              f" (goal <= {2 - GOAL:.2f})")
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
