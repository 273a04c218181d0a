"""Benchmark: a flash sale — 10,000 redemption attempts on one coupon with 100 uses.

64 connections at once over two gunicorn servers (``bench/common.py``'s settings)
on MariaDB, or on a three-node Galera cluster (``--galera``: one server per
node, each on its own node, started in a temp folder by tests/production/galera.py).
Every attempt is a new booking of the same code. Reported: the counts (exactly
100 must succeed, the rest ``422 usage_limit_reached``, nothing else), the time
to sell out (the 100th ``201``), the redemption rate until then, the refusal
rate after it — the baseline of the ratio is the redemption rate of the same
run: a refusal of a used-up coupon needs no row lock, so it should run at 3x or
more — and the p50/p99 latency of each kind and of all.

The load generator is a small asyncio HTTP/1.1 client (gunicorn's sync workers
close each connection, so each attempt is one connection, like wrk's).

    .venv/bin/python bench/flash.py
    .venv/bin/python bench/flash.py --galera
    .venv/bin/python bench/flash.py --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import (
    ROOT,
    WORKERS,
    Server,
    app_env,
    database_url,
    init_db,
    make_token,
    seed_coupons,
    start_gunicorn,
    workdir,
)
from sqlalchemy import create_engine, text


@dataclass(frozen=True)
class Attempt:
    sent: float
    done: float
    status: int
    reason: str

    @property
    def ms(self) -> float:
        return (self.done - self.sent) * 1000


async def post(port: int, path: str, body: bytes, token: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nAuthorization: Bearer "
                     + token.encode() + b"\r\nConnection: close\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    head, _, payload = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


async def load(ports: list[int], code: str, token: str, attempts: int,
               connections: int) -> tuple[float, list[Attempt]]:
    results: list[Attempt] = []
    counter = iter(range(attempts))

    async def connection(lane: int) -> None:
        port = ports[lane % len(ports)]
        for n in counter:
            body = json.dumps({"code": code, "subtotal": "120.00",
                               "booking_ref": f"FLASH-{n}"}).encode()
            sent = time.perf_counter()
            try:
                status, payload = await post(port, "/api/v1/redemptions", body, token)
                reason = json.loads(payload).get("reason", "") if status == 422 else ""
            except (OSError, ValueError, IndexError) as error:
                status, reason = 0, type(error).__name__
            results.append(Attempt(sent, time.perf_counter(), status, reason))

    start = time.perf_counter()
    await asyncio.gather(*(connection(lane) for lane in range(connections)))
    return start, results


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def stored(url: str, code: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        if "galera" in url:  # a node's reads wait until it has applied the cluster's writes
            connection.execute(text("SET SESSION wsrep_sync_wait = 1"))
        cid, used = connection.execute(text(
            "SELECT c.id, c.used FROM advik_coupons c JOIN advik_coupon_codes k "
            "ON k.coupon_id = c.id WHERE k.code = :code"), {"code": code}).one()
        rows = connection.execute(text(
            "SELECT COUNT(*) FROM advik_redemptions WHERE coupon_id = :cid"), {"cid": cid}
        ).scalar_one()
    engine.dispose()
    return int(used), int(rows)


@contextlib.contextmanager
def databases(kind: str, galera: bool, folder: Path) -> Iterator[list[str]]:
    """The URL each server uses: one database twice, or one per Galera node."""
    if not galera:
        url = database_url(kind, folder)
        yield [url, url]
        return
    sys.path.insert(0, str(ROOT))
    from tests.production.galera import galera_cluster

    with galera_cluster(3) as nodes:
        yield [node.url for node in nodes]


def report(start: float, results: list[Attempt], uses: int, where: str) -> bool:
    counts = Counter((a.status, a.reason) for a in results)
    created = sorted((a for a in results if a.status == 201), key=lambda a: a.done)
    refused = [a for a in results if a.status == 422]
    sold_out = created[-1].done if len(created) >= uses else float("nan")
    after = [a for a in refused if a.sent >= sold_out]
    end = max(a.done for a in results)
    sell_seconds = sold_out - start
    redeem_rate = len(created) / sell_seconds
    refusal_rate = len(after) / (end - sold_out) if end > sold_out else float("nan")
    print(f"\n== flash sale on {where}: {len(results)} attempts, {uses} uses, "
          f"{WORKERS} sync workers per server ==")
    print("  answers: " + ", ".join(f"{s} {r or ''}".strip() + f" x {n}"
                                    for (s, r), n in sorted(counts.items())))
    print(f"  sold out after {sell_seconds:.2f} s: {redeem_rate:.0f} redemptions/s "
          f"(the baseline)")
    print(f"  refusals after it: {len(after)} in {end - sold_out:.2f} s = "
          f"{refusal_rate:.0f}/s  -> {refusal_rate / redeem_rate:.1f}x the redemption rate")
    for name, group in (("201", created), ("422", refused), ("all", results)):
        times = [a.ms for a in group]
        print(f"  {name:>4}: p50 {percentile(times, 0.5):7.1f} ms   p99 "
              f"{percentile(times, 0.99):7.1f} ms   mean {statistics.fmean(times):7.1f} ms")
    return counts == Counter({(201, ""): uses, (422, "usage_limit_reached"): len(results) - uses})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--uses", type=int, default=100)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--db", choices=["mysql", "postgres"], default="mysql")
    parser.add_argument("--galera", action="store_true",
                        help="a three-node MariaDB Galera cluster, one server per node")
    args = parser.parse_args()
    folder = workdir("flash")
    servers: list[Server] = []
    try:
        with databases(args.db, args.galera, folder) as urls:
            env = app_env(urls[0], folder)
            init_db(env)
            token = make_token(env)
            code = seed_coupons(urls[0], 1, prefix="FLASH", max_uses=args.uses)[0]
            for index, url in enumerate(urls):
                server_folder = folder / f"server{index}"
                server_folder.mkdir()
                servers.append(start_gunicorn("advik_coupons:create_app()",
                                              app_env(url, server_folder), server_folder))
            start, results = asyncio.run(load([s.port for s in servers], code, token,
                                              args.attempts, args.connections))
            where = ("a three-node Galera cluster" if args.galera else
                     {"mysql": "MariaDB", "postgres": "PostgreSQL"}[args.db])
            ok = report(start, results, args.uses, f"{where}, {len(servers)} servers")
            used, rows = stored(urls[-1], code)
            print(f"  stored: used {used}, rows {rows} -> "
                  f"{'OK' if ok and used == rows == args.uses else 'WRONG'}")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if not (ok and used == rows == args.uses):
        sys.exit("counts WRONG")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
