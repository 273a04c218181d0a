"""Benchmark: the CPU the Prometheus metrics add to one ``POST /coupons/apply``, in-process.

One app on a SQLite file (10,000 coupons, the apply limit in memory, the terms cache
on) with ``ADVIK_METRICS_PATH`` in multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, as
with several gunicorn workers). Batches of applies through Flask's test client
alternate between "on" (the metrics' request hooks in place) and "off" (the same app
with those two hooks taken out), which goes first alternating too: two separate apps
differ by several per cent on their own (connections, caches), one app does not.
Each batch's CPU time (``time.process_time``, this process only, so other load on the
machine counts far less than in a throughput figure) is divided by its applies.
Prints the median CPU per apply of each and the on/off ratio (the goal: at most 1.05).

    cd bench && ../.venv/bin/python metrics_inprocess.py --batches 60 --size 300
    cd bench && ../.venv/bin/python metrics_inprocess.py --batches 60 --size 300 --aa
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

FOLDER = Path(tempfile.mkdtemp(prefix="advik-bench-metrics-inprocess-"))
(FOLDER / "prometheus").mkdir()
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(FOLDER / "prometheus")  # before the import

from common import seed_coupons  # noqa: E402
from flask import Flask  # noqa: E402

from advik_coupons import create_app  # noqa: E402
from advik_coupons.state import get_state  # noqa: E402
from advik_coupons.store.schema import upgrade  # noqa: E402
from advik_coupons.web import metrics  # noqa: E402

GOAL = 1.05


def make(url: str, name: str, **extra: object) -> Flask:
    return create_app({"ADVIK_DATABASE_URL": url, "INSTANCE_PATH": str(FOLDER / name),
                       "SECRET_KEY": "bench", "ADVIK_HOOKS_DIR": "",
                       "ADVIK_RATELIMIT_STORAGE_URL": "memory://",
                       "ADVIK_APPLY_RATE_LIMIT": "100000000/minute", **extra})


def batch(app: Flask, size: int, distinct: int, rng: random.Random) -> float:
    client = app.test_client()
    started = time.process_time()
    for _ in range(size):
        code = f"BENCH{rng.randrange(distinct):06d}"
        answer = client.post("/coupons/apply", json={"code": code, "subtotal": "120.00"})
        assert answer.status_code == 200, answer.data
    return (time.process_time() - started) / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--coupons", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=100)
    parser.add_argument("--aa", action="store_true",
                        help="calibrate: metrics on for both sides (the ratio is the noise)")
    args = parser.parse_args()
    url = f"sqlite:///{FOLDER / 'bench.sqlite'}"
    try:
        app = make(url, "app", ADVIK_METRICS_PATH="/metrics")
        with app.app_context():
            upgrade(get_state().engine)
        seed_coupons(url, args.coupons)
        rng = random.Random(7)
        before, after = app.before_request_funcs[None], app.after_request_funcs[None]
        hooks = {"metrics on": (list(before), list(after)),
                 "metrics off": ([f for f in before if f is not metrics._start],
                                 [f for f in after if f is not metrics._finish])}
        assert len(hooks["metrics off"][0]) == len(before) - 1
        assert len(hooks["metrics off"][1]) == len(after) - 1
        if args.aa:  # calibration: both sides the same, the ratio shows the harness's noise
            hooks["metrics off"] = hooks["metrics on"]
        batch(app, args.size, args.distinct, rng)  # warm-up: caches, first connections
        per: dict[str, list[float]] = {name: [] for name in hooks}
        for turn in range(args.batches):
            order = list(hooks) if turn % 2 == 0 else list(reversed(hooks))
            for name in order:
                before[:], after[:] = hooks[name]
                per[name].append(batch(app, args.size, args.distinct, rng))
        before[:], after[:] = hooks["metrics on"]
        off, on = (statistics.median(per[n]) * 1e6 for n in ("metrics off", "metrics on"))
        print(f"\n== in-process apply, SQLite, {args.coupons} coupons, "
              f"{args.batches} x {args.size} applies each way ==")
        print(f"  CPU per apply: metrics off {off:.0f} us, metrics on {on:.0f} us, "
              f"on / off {on / off:.3f} (goal <= {GOAL})")
        scraped = app.test_client().get("/metrics").get_data(as_text=True)
        counted = [line for line in scraped.splitlines() if line.startswith(
            'advik_request_duration_seconds_count{operation="apply"')]
        print("  scraped: " + (counted[0] if counted else "NO APPLY COUNTED"))
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)


if __name__ == "__main__":
    main()
