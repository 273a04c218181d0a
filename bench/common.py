"""What the benchmark scripts share: databases, seeding, gunicorn, wrk, memory.

Not a test helper: the scripts print figures; nothing here asserts.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, inspect, text

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN = str(VENV_BIN / "gunicorn")
CLI = str(VENV_BIN / "advik-coupons")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
MYSQL_URL = os.environ.get(
    "ADVIK_BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/advik_bench?charset=utf8mb4")
PG_URL = os.environ.get(
    "ADVIK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/advik_bench")
DB_KINDS = ("sqlite", "mysql", "postgres")
REDIS_URL = os.environ.get("ADVIK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
# One gunicorn setting for every measured server (ours and the peer's): sync workers,
# one per core by default (on a 2-core box more workers only add context switches).
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
GUNICORN_ARGS = ("--workers", str(WORKERS), "--worker-class", "sync", "--backlog", "2048",
                 "--timeout", "60", "--graceful-timeout", "3", "--log-level", "warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(kind: str, folder: Path) -> str:
    """A fresh database of ``kind`` (sqlite, mysql or postgres) with no plugin tables."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}"
    if kind == "postgres":
        server_url, name = PG_URL.rsplit("/", 1)
        engine = create_engine(server_url + "/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return PG_URL
    server = MYSQL_URL.rsplit("/", 1)[0]
    name = MYSQL_URL.rsplit("/", 1)[1].split("?")[0]
    engine = create_engine(server + "/")
    with engine.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    engine.dispose()
    return MYSQL_URL


def app_env(url: str, folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVIK_")}
    env.update({"ADVIK_DATABASE_URL": url, "ADVIK_INSTANCE_PATH": str(folder / "instance"),
                "SECRET_KEY": secrets.token_hex(16), "ADVIK_HOOKS_DIR": "",
                "ADVIK_RATELIMIT_STORAGE_URL": REDIS_URL,
                "ADVIK_APPLY_RATE_LIMIT": "100000000/minute",
                "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")])})
    env.update(extra)
    return env


def init_db(env: dict[str, str]) -> None:
    subprocess.run([CLI, "init-db"], env=env, check=True, stdout=subprocess.DEVNULL)


def make_token(env: dict[str, str]) -> str:
    out = subprocess.run([CLI, "create-token", "--name", "bench"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def seed_coupons(url: str, count: int, prefix: str = "BENCH", **fields: Any) -> list[str]:
    """``count`` coupons with one primary code each (bulk insert); returns the codes."""
    from advik_coupons.store.models import Coupon, CouponCode, use_table_prefix

    use_table_prefix("advik_")
    engine = create_engine(url)
    now = datetime.now(UTC) - timedelta(days=1)
    codes = [f"{prefix}{i:06d}" for i in range(count)]
    base = {"description": "", "discount_type": "percent", "discount_value": Decimal("10"),
            "audience": "all", "days_of_week": "", "max_uses": None, "used": 0,
            "once_per_customer": False, "min_subtotal": Decimal("0"),
            "max_subtotal": Decimal("0"), "booking_types": "one_time,recurring",
            "recurring_scope": "first", "active": True, "starts_at": now, "ends_at": None,
            "created_at": now, "updated_at": now}
    base.update(fields)
    columns = {c.name for c in Coupon.__table__.columns}
    with engine.begin() as connection:
        first = connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM "
                                        f"{Coupon.__table__.name}")).scalar_one()
        rows = [{**{k: v for k, v in base.items() if k in columns}, "id": first + 1 + i,
                 "name": f"Bench {code}"} for i, code in enumerate(codes)]
        for start in range(0, count, 2000):
            connection.execute(insert(Coupon.__table__), rows[start:start + 2000])
        code_columns = {c.name for c in CouponCode.__table__.columns}
        code_rows = [{k: v for k, v in {"coupon_id": first + 1 + i, "code": code,
                                        "is_primary": True, "single_use": False,
                                        "created_at": now}.items() if k in code_columns}
                     for i, code in enumerate(codes)]
        for start in range(0, count, 2000):
            connection.execute(insert(CouponCode.__table__), code_rows[start:start + 2000])
    engine.dispose()
    return codes


def table_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == self.proc.pid:
                    found.append(int(entry))
        return found

    def peak_rss_mib(self) -> list[float]:
        """VmHWM (peak resident set) of each worker, in MiB."""
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_gunicorn(app: str, env: dict[str, str], folder: Path, *, gunicorn: str = GUNICORN,
                   health: str = "/healthz", chdir: Path | None = None) -> Server:
    port = free_port()
    log = folder / f"gunicorn-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([gunicorn, *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", app],
                                env=env, cwd=str(chdir or folder), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(server.url + health, timeout=2).status_code < 500 and len(
                    server.workers()) >= WORKERS:
                time.sleep(0.5)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    extra: dict[str, int]

    def row(self) -> str:
        return (f"{self.requests_per_second:9.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
                f"p99 {self.p99_ms:6.2f} ms   ({self.requests} requests, {self.errors} errors)")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, script: Path, connections: int, seconds: int,
            script_args: list[str] | None = None, threads: int = 2) -> WrkResult:
    """Run wrk with a Lua script; parse throughput, p50/p99 and the script's own counters."""
    cmd = [WRK, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s",
           "--latency", "-s", str(script), url]
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))

    def parse(raw: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)$", raw)
        return _ms(m.group(1), m.group(2)) if m else float("nan")

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    for m in re.finditer(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                         out):
        errors += sum(int(x) for x in m.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    extra = {k: int(v) for k, v in re.findall(r"^COUNT (\w+) (\d+)$", out, re.M)}
    if non2xx:
        extra.setdefault("non_2xx", int(non2xx.group(1)))
    return WrkResult(rps, parse(percentiles.get("50", "nan")), parse(percentiles.get("99", "nan")),
                     total, errors, extra)


def workdir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"advik-bench-{name}-"))
