"""CPU cost per request, in process (Flask's test client), for profiling and before/after.

Wall-clock figures on a shared 2-core machine swing with whatever else runs;
CPU time per request of one process does much less. Prints ms of CPU per
request for the no-op route, ``/coupons/apply`` (Redis rate limit and funnel
on, terms cache on) and ``/api/v1/redemptions`` on MariaDB (or SQLite), and
with ``--profile`` a pyinstrument profile of the apply (or redeem) loop.

    .venv/bin/python bench/cpu.py --db mysql
    .venv/bin/python bench/cpu.py --db mysql --profile redeem
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import app_env, database_url, init_db, make_token, seed_coupons, workdir


def per_request(call: Callable[[int], None], n: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per call."""
    for i in range(min(100, n)):
        call(-1 - i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        call(i)
    return ((time.process_time() - cpu) / n * 1000, (time.perf_counter() - wall) / n * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "mysql"], default="mysql")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--profile", choices=["apply", "redeem"])
    args = parser.parse_args()
    folder = workdir("cpu")
    url = database_url(args.db, folder)
    env = app_env(url, folder)
    init_db(env)
    token = make_token(env)
    seed_coupons(url, 10_000)
    seed_coupons(url, 1, prefix="HOT")
    os.environ.update(env)
    from benchapp import create_bench_app

    client = create_bench_app().test_client()
    body = {"subtotal": "120.00", "email": "ann@example.com", "booking_type": "one_time"}
    auth = {"Authorization": f"Bearer {token}"}

    def noop(i: int) -> None:
        assert client.post("/noop", json={**body, "code": "BENCH000001"}).status_code == 200

    def apply(i: int) -> None:
        answer = client.post("/coupons/apply", json={**body, "code": f"BENCH{i % 100:06d}"})
        assert answer.status_code == 200, answer.text

    def redeem(i: int) -> None:
        answer = client.post("/api/v1/redemptions", headers=auth, json={
            **body, "code": "HOT000000", "booking_ref": f"BK-{time.time_ns()}-{i}",
            "email": f"guest{i}-{time.time_ns()}@example.com"})
        assert answer.status_code == 201, answer.text

    try:
        if args.profile:
            from pyinstrument import Profiler

            target = apply if args.profile == "apply" else redeem
            per_request(target, 200)
            profiler = Profiler(interval=0.0005)
            profiler.start()
            per_request(target, args.n // (1 if args.profile == "apply" else 4))
            profiler.stop()
            every_frame = bool(os.environ.get("BENCH_PROFILE_ALL"))
            print(profiler.output_text(unicode=False, color=False, show_all=every_frame))
            return
        for name, call, n in (("noop", noop, args.n), ("apply", apply, args.n),
                              ("redeem", redeem, args.n // 4)):
            cpu, wall = per_request(call, n)
            print(f"{args.db:6s} {name:7s} {cpu:6.3f} ms CPU/request  {wall:6.3f} ms wall "
                  f"({n} sequential requests, one process)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
