"""Benchmark against a peer: django-oscar's vouchers, same workload, same gunicorn settings.

Makes ``bench/.venv-oscar`` (django-oscar, gunicorn, PyMySQL from PyPI) when
it is missing, writes the minimal Django project of ``oscar_files.py`` to a
temp dir, migrates it on MariaDB (database ``advik_oscar_bench``), seeds
10,000 vouchers on a 10 % offer (like our 10,000 coupons), a product and 64
open baskets holding it, and serves it with the gunicorn settings of
``common.py``. Then, for Oscar and for us, on MariaDB:

* validate: ``wrk`` with ``apply.lua`` against Oscar's ``/validate`` and our
  ``/coupons/apply`` (rate limit and funnel on; the limit counted in Redis, or
  with ``--limits memory`` in each worker's memory) at 8 and 32 connections;
* redeem: ``wrk`` with ``redeem.lua`` against Oscar's ``/redeem`` (order
  placement) and our ``/api/v1/redemptions``, one hot voucher/coupon;
* over-redemption: 200 concurrent redemptions of a voucher whose offer allows
  50 applications (Oscar's ``max_global_applications``) / a coupon with
  ``max_uses`` 50 (ours): how many succeed, and what each database recorded.

Prints each figure and our/Oscar ratios (goal: ≥ 30× validate, ≥ 10× redeem).

    .venv/bin/python bench/oscar_peer.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import oscar_files
from common import (
    BENCH,
    MYSQL_URL,
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
from sqlalchemy.engine import make_url

VENV = BENCH / ".venv-oscar"
PINS = ["django-oscar==4.2.1", "Django==5.2.*", "gunicorn==23.0.0", "PyMySQL==1.1.*"]
OSCAR_DB = "advik_oscar_bench"
LIMIT = 50
RACERS = 200


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"making {VENV} (django-oscar from PyPI)…", flush=True)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PINS], check=True)
    return python


def write_project(folder: Path) -> None:
    url = make_url(MYSQL_URL)
    package = folder / "benchproj"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    settings = oscar_files.SETTINGS
    for key, value in {"db_name": OSCAR_DB, "db_user": url.username or "root",
                       "db_password": url.password or "", "db_host": url.host or "127.0.0.1",
                       "db_port": str(url.port or 3306)}.items():
        settings = settings.replace("{" + key + "}", value)
    (package / "settings.py").write_text(settings)
    (package / "urls.py").write_text(oscar_files.URLS)
    (package / "views.py").write_text(oscar_files.VIEWS)
    (package / "wsgi.py").write_text(oscar_files.WSGI)
    (folder / "seed.py").write_text(oscar_files.SEED)
    (folder / "manage.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'benchproj.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n")


def fresh_oscar_db() -> str:
    server = MYSQL_URL.rsplit("/", 1)[0]
    engine = create_engine(server + "/")
    with engine.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{OSCAR_DB}`"))
        connection.execute(text(f"CREATE DATABASE `{OSCAR_DB}` CHARACTER SET utf8mb4"))
    engine.dispose()
    return f"{server}/{OSCAR_DB}?charset=utf8mb4"


def race(url: str, code: str, headers: dict[str, str]) -> Counter[int]:
    async def run() -> list[Any]:
        limits = httpx.Limits(max_connections=RACERS, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            return await asyncio.gather(*(client.post(url, headers=headers, json={
                "code": code, "subtotal": "120.00", "booking_ref": f"RACE-{code}-{i}",
                "email": f"racer{i}@example.com"}) for i in range(RACERS)),
                return_exceptions=True)

    return Counter(r.status_code if isinstance(r, httpx.Response) else -1
                   for r in asyncio.run(run()))


def load(url: str, connections: list[int], seconds: int, script: str,
         args: list[str]) -> dict[int, WrkResult]:
    found = {}
    for c in connections:
        run_wrk(url, BENCH / script, c, 2, args)  # warm-up
        found[c] = run_wrk(url, BENCH / script, c, seconds, args)
    return found


def bench_oscar(args: argparse.Namespace) -> dict[str, Any]:
    python = ensure_venv()
    folder = workdir("oscar")
    write_project(folder)
    db_url = fresh_oscar_db()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVIK_", "PYTHON"))}
    env["DJANGO_SETTINGS_MODULE"] = "benchproj.settings"
    print("migrating Oscar's schema on MariaDB…", flush=True)
    subprocess.run([str(python), "manage.py", "migrate", "-v", "0"], cwd=folder, env=env,
                   check=True)
    subprocess.run([str(python), "seed.py", str(args.coupons), str(len(args.connections)),
                    str(LIMIT)], cwd=folder, env=env, check=True)
    server = start_gunicorn("benchproj.wsgi:application", env, folder,
                            gunicorn=str(VENV / "bin" / "gunicorn"), chdir=folder)
    try:
        probe = httpx.post(server.url + "/validate", timeout=30,
                           json={"code": "BENCH000001", "subtotal": "120.00"})
        assert probe.status_code == 200, probe.text
        result: dict[str, Any] = {
            "validate": load(server.url + "/validate", args.connections, args.seconds,
                             "apply.lua", [str(args.distinct)])}
        result["redeem"] = {c: run_wrk(server.url + "/redeem", BENCH / "redeem.lua", c,
                                       args.seconds, [f"HOT{i:06d}", "none"])
                            for i, c in enumerate(args.connections)}
        result["race"] = race(server.url + "/redeem", "LIMITED000000", {})
        engine = create_engine(db_url)
        with engine.connect() as connection:
            offer_id, applications = connection.execute(text(
                "SELECT id, num_applications FROM offer_conditionaloffer "
                "WHERE name = 'Limited ten percent'")).one()
            discounts = connection.execute(text(
                "SELECT COUNT(*) FROM order_orderdiscount WHERE offer_id = :o"),
                {"o": offer_id}).scalar_one()
        engine.dispose()
        result["race_db"] = {"num_applications": applications, "discounted_orders": discounts}
        result["rss"] = server.peak_rss_mib()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def bench_ours(args: argparse.Namespace) -> dict[str, Any]:
    folder = workdir("ours")
    url = database_url("mysql", folder)
    env = app_env(url, folder, **({"ADVIK_RATELIMIT_STORAGE_URL": "memory://"}
                                  if args.limits == "memory" else {}))
    init_db(env)
    token = make_token(env)
    seed_coupons(url, args.coupons)
    seed_coupons(url, len(args.connections), prefix="HOT")
    seed_coupons(url, 1, prefix="LIMITED", max_uses=LIMIT)
    server = start_gunicorn("benchapp:create_bench_app()", env, folder, chdir=BENCH)
    try:
        result: dict[str, Any] = {
            "validate": load(server.url + "/coupons/apply", args.connections, args.seconds,
                             "apply.lua", [str(args.distinct)])}
        result["redeem"] = {c: run_wrk(server.url + "/api/v1/redemptions",
                                       BENCH / "redeem.lua", c, args.seconds,
                                       [f"HOT{i:06d}", token])
                            for i, c in enumerate(args.connections)}
        result["race"] = race(server.url + "/api/v1/redemptions", "LIMITED000000",
                              {"Authorization": f"Bearer {token}"})
        engine = create_engine(url)
        with engine.connect() as connection:
            used, rows = connection.execute(text(
                "SELECT c.used, (SELECT COUNT(*) FROM advik_redemptions r "
                "WHERE r.coupon_id = c.id) FROM advik_coupons c JOIN advik_coupon_codes k "
                "ON k.coupon_id = c.id WHERE k.code = 'LIMITED000000'")).one()
        engine.dispose()
        result["race_db"] = {"used": used, "redemption_rows": rows}
        result["rss"] = server.peak_rss_mib()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def report(ours: dict[str, Any], oscar: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n== Advik Coupons vs django-oscar 4.2 on MariaDB, {WORKERS} sync workers each, "
          f"{args.coupons} coupons/vouchers; our apply limit counted in {args.limits} ==")
    for kind, goal in (("validate", 30), ("redeem", 10)):
        for c in args.connections:
            a, b = ours[kind][c], oscar[kind][c]
            rate_a = a.requests_per_second if kind == "validate" else a.extra.get(
                "created", 0) / args.seconds
            rate_b = b.requests_per_second if kind == "validate" else b.extra.get(
                "created", 0) / args.seconds
            print(f"  {kind:8s} {c:3d} conns  ours  {a.row()}")
            print(f"  {'':8s} {'':9s}  oscar {b.row()}")
            ratio = rate_a / rate_b if rate_b else float("inf")
            unit = "req/s" if kind == "validate" else "successful redemptions/s"
            print(f"  {'':8s} {'':9s}  ours/oscar {ratio:.1f}x in {unit} "
                  f"({rate_a:.0f} vs {rate_b:.0f}; goal >= {goal}x)")
    print(f"  over-redemption, {RACERS} concurrent redemptions, limit {LIMIT}:")
    print(f"    ours : answers {dict(ours['race'])}, database {ours['race_db']}")
    print(f"    oscar: answers {dict(oscar['race'])}, database {oscar['race_db']}")
    print(f"  peak RSS per worker: ours max {max(ours['rss']):.1f} MiB, "
          f"oscar max {max(oscar['rss']):.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--coupons", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=100)
    parser.add_argument("--limits", choices=["redis", "memory"], default="redis",
                        help="where our (always on) apply rate limit counts, as in apply.py")
    args = parser.parse_args()
    oscar = bench_oscar(args)
    ours = bench_ours(args)
    report(ours, oscar, args)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
