"""Backup and restore, as docs/operations.md says: dump MariaDB (``mysqldump
--single-transaction``) and PostgreSQL (``pg_dump``) while two gunicorn workers take
redemptions and cancellations, restore into a fresh database, and ``advik-coupons
check`` passes; a restore that lost a redemption row fails it, naming the coupon.
SQLite's online backup is checked the same way."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from advik_coupons.resources import resource_dir
from tests.conftest import empty_tables, make_app
from tests.hook_receiver import SECRET
from tests.production.servers import Server, free_port, server_env, start_server

pytestmark = pytest.mark.timeout(240)
CLI = str(Path(sys.executable).parent / "advik-coupons")
PREFIX = "advik_"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def traffic_env(url: str, tmp_path: Path) -> dict[str, str]:
    """The server's settings: the bundled webhook on (its notices wait in the outbox)."""
    return server_env(url, tmp_path / "instance", ADVIK_HOOKS_DIR=str(resource_dir("hooks")),
                      ADVIK_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/hook",
                      ADVIK_WEBHOOK_SECRET=SECRET, ADVIK_APPLY_RATE_LIMIT="")


class Traffic:
    """Redemptions (and every fourth one cancelled) against a server, until stopped."""

    def __init__(self, server: Server, token: str, threads: int = 3) -> None:
        self.server, self.stop = server, threading.Event()
        self.headers = {"Authorization": f"Bearer {token}"}
        self.counts = {"redeemed": 0, "cancelled": 0, "errors": 0}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True)
                        for n in range(threads)]

    def run(self, n: int) -> None:
        with httpx.Client(base_url=self.server.url, headers=self.headers, timeout=30) as c:
            i = 0
            while not self.stop.is_set():
                i += 1
                code = ("BACKUP10", "LIMITED")[i % 2]
                answer = c.post("/api/v1/redemptions", json={
                    "code": code, "subtotal": "120.00", "booking_ref": f"T{n}-{i}"})
                kind = "redeemed" if answer.status_code == 201 else "errors"
                if answer.status_code == 422:
                    kind = "redeemed"  # LIMITED used up: a refusal, no row
                if answer.status_code == 201 and i % 4 == 0:
                    rid = answer.json()["id"]
                    done = c.post(f"/api/v1/redemptions/{rid}/cancel")
                    kind = "cancelled" if done.status_code == 200 else "errors"
                with self.lock:
                    self.counts[kind] += 1

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def serve_with_traffic(url: str, tmp_path: Path) -> tuple[Server, str, dict[str, str]]:
    env = traffic_env(url, tmp_path)
    token = cli(env, "create-token", "--name", "backup").stdout.strip().splitlines()[-1]
    server = start_server(env, tmp_path, workers=2)
    for code, limit in (("BACKUP10", None), ("LIMITED", 40)):
        created = httpx.post(server.url + "/api/v1/coupons", timeout=10,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"name": code, "code": code, "discount_type": "percent",
                                   "discount_value": "10", "max_uses": limit})
        assert created.status_code == 201, created.text
    return server, token, env


def plugin_tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(n for n in inspect(engine).get_table_names() if n.startswith(PREFIX))
    finally:
        engine.dispose()


def break_one_redemption(url: str) -> int:
    """Delete one live redemption that took a use, as a bad restore would; its coupon."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            row = connection.execute(text(
                f"SELECT id, coupon_id FROM {PREFIX}redemptions WHERE status = 'redeemed' "
                "ORDER BY id LIMIT 1")).one()
            connection.execute(text(f"DELETE FROM {PREFIX}redemptions WHERE id = :i"),
                               {"i": row[0]})
        return int(row[1])
    finally:
        engine.dispose()


def assert_restore_checks(restored_url: str, tmp_path: Path, traffic: Traffic) -> None:
    env = server_env(restored_url, tmp_path / "instance-restored")
    ok = cli(env, "check")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK: 2 coupons, "), ok.stdout
    redemptions = int(ok.stdout.split(", ")[1].split()[0])
    notices = int(ok.stdout.split(", ")[2].split()[0])
    assert redemptions > 0 and notices > 0, (ok.stdout, traffic.counts)
    coupon_id = break_one_redemption(restored_url)
    broken = cli(env, "check")
    assert broken.returncode == 1
    lines = broken.stderr.splitlines()
    assert any(line.startswith(f"used: coupon {coupon_id}: ") for line in lines), lines
    assert any(line.startswith(f"rollup: coupon {coupon_id}: ") for line in lines), lines
    assert any(line.startswith("outbox: ") and "is missing" in line for line in lines), lines
    assert "Error: " in lines[-1] and "problem(s)" in lines[-1]


@pytest.fixture
def mysql_restore(mysql_url: str) -> Iterator[str]:
    source = make_url(mysql_url)
    name = f"{source.database}_restore"
    server = create_engine(source.set(database="mysql"))
    with server.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield source.set(database=name).render_as_string(hide_password=False)
    with server.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


@pytest.fixture
def pg_restore(pg_url: str) -> Iterator[str]:
    source = make_url(pg_url)
    name = f"{source.database}_restore"
    server = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield source.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def mysql_args(url: str) -> list[str]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    return args + ([f"-p{u.password}"] if u.password else [])


def pg_args(url: str) -> list[str]:
    u = make_url(url)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U",
            u.username or "postgres"]


def wait_for_rows(traffic: Traffic, at_least: int = 20) -> None:
    deadline = time.monotonic() + 60
    while traffic.counts["redeemed"] < at_least and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.mysql
def test_mysqldump_under_load_restores_and_checks(mysql_url: str, mysql_restore: str,
                                                  tmp_path: Path) -> None:
    empty_tables(make_app(mysql_url, tmp_path))
    server, _token, _env = serve_with_traffic(mysql_url, tmp_path)
    dump = tmp_path / "advik.sql"
    try:
        with Traffic(server, _token) as traffic:
            wait_for_rows(traffic)
            with open(dump, "wb") as out:
                subprocess.run(["mysqldump", *mysql_args(mysql_url), "--single-transaction",
                                "--skip-lock-tables", make_url(mysql_url).database or "",
                                *plugin_tables(mysql_url)], stdout=out, check=True, timeout=120)
            wait_for_rows(traffic, traffic.counts["redeemed"] + 10)  # writes after the dump
    finally:
        server.stop()
    assert traffic.counts["errors"] == 0, traffic.counts
    with open(dump, "rb") as source:
        subprocess.run(["mysql", *mysql_args(mysql_restore),
                        make_url(mysql_restore).database or ""], stdin=source, check=True,
                       timeout=120)
    assert_restore_checks(mysql_restore, tmp_path, traffic)


@pytest.mark.postgres
def test_pg_dump_under_load_restores_and_checks(pg_url: str, pg_restore: str,
                                                tmp_path: Path) -> None:
    empty_tables(make_app(pg_url, tmp_path))
    server, _token, _env = serve_with_traffic(pg_url, tmp_path)
    dump = tmp_path / "advik.dump"
    try:
        with Traffic(server, _token) as traffic:
            wait_for_rows(traffic)
            subprocess.run(["pg_dump", *pg_args(pg_url), "--format=custom", "--no-owner",
                            "--table", f"{PREFIX}*", "--file", str(dump),
                            make_url(pg_url).database or ""], check=True, timeout=120)
            wait_for_rows(traffic, traffic.counts["redeemed"] + 10)
    finally:
        server.stop()
    assert traffic.counts["errors"] == 0, traffic.counts
    subprocess.run(["pg_restore", *pg_args(pg_restore), "--no-owner", "--dbname",
                    make_url(pg_restore).database or "", str(dump)], check=True, timeout=120)
    assert_restore_checks(pg_restore, tmp_path, traffic)


def test_sqlite_online_backup_restores_and_checks(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite"
    env = traffic_env(f"sqlite:///{live}", tmp_path)
    assert cli(env, "init-db").returncode == 0
    server, token, _env = serve_with_traffic(f"sqlite:///{live}", tmp_path)
    copy = tmp_path / "copy.sqlite"
    try:
        with Traffic(server, token, threads=2) as traffic:
            wait_for_rows(traffic)
            with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            wait_for_rows(traffic, traffic.counts["redeemed"] + 10)
    finally:
        server.stop()
    assert traffic.counts["errors"] == 0, traffic.counts
    assert_restore_checks(f"sqlite:///{copy}", tmp_path, traffic)
