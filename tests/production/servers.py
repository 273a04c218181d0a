"""gunicorn servers for the production tests: start, wait, kill, and fire load at them.

Each server is ``gunicorn 'advik_coupons:create_app()'`` with sync workers on
a free port of 127.0.0.1, in its own process group so the master and all its
workers can be killed at once (``SIGKILL``, like a crashed machine) or
stopped gracefully in a fixture's teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
if not os.path.exists(GUNICORN):
    GUNICORN = shutil.which("gunicorn") or "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL the master and every worker at the same moment."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                return
        self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def server_env(db_url: str, instance: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVIK_")}
    env.update({"ADVIK_DATABASE_URL": db_url, "ADVIK_INSTANCE_PATH": str(instance),
                "SECRET_KEY": "production-test-secret", "ADVIK_HOOKS_DIR": ""})
    env.update(settings)
    return env


def start_server(env: dict[str, str], folder: Path, *, workers: int = 4,
                 app: str = "advik_coupons:create_app()", wait: bool = True,
                 extra_args: tuple[str, ...] = ()) -> Server:
    """Start gunicorn and wait until every worker answers ``/healthz``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / f"gunicorn-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [GUNICORN, "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "3",
             *extra_args, app],
            env=env, cwd=str(folder), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    server = Server(proc, port, log)
    if wait:
        try:
            wait_ready(server, workers)
        except BaseException:
            server.stop()
            raise
    return server


def wait_ready(server: Server, workers: int, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log_text()[-3000:]}")
        try:
            ok = httpx.get(server.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok and len(server.workers()) >= workers and server.log_text().count(
                "Booting worker") >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not come up in {timeout} s:\n{server.log_text()[-3000:]}")


def fire(requests: list[tuple[str, dict[str, Any]]], headers: dict[str, str] | None = None,
         timeout: float = 60.0) -> list[httpx.Response | BaseException]:
    """POST every (url, json) at once; answers (or the exception) in the same order."""

    async def run() -> list[httpx.Response | BaseException]:
        limits = httpx.Limits(max_connections=len(requests) + 1, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
            return await asyncio.gather(
                *(client.post(url, json=body, headers=headers or {}) for url, body in requests),
                return_exceptions=True)

    return asyncio.run(run())


def start_deliver_workers(env: dict[str, str], count: int,
                          poll: float = 0.2) -> list[subprocess.Popen[str]]:
    """``count`` outbox worker processes (``advik-coupons deliver``) on ``env``."""
    cli = str(Path(sys.executable).parent / "advik-coupons")
    return [subprocess.Popen([cli, "deliver", "--poll", str(poll)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(count)]


def stop_deliver_workers(workers: list[subprocess.Popen[str]]) -> list[int]:
    """SIGTERM every worker, wait for it; their exit codes."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
    return [worker.returncode for worker in workers]
