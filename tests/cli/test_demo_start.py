"""Starting ``advik-coupons demo`` as a new user would (issue 12): a busy port is one clear
line and exit code 2; the banner says how to stop; the README's quick start shows --port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.test_cli import BIN, free_port, run

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_one_clear_line_and_exit_code_2(tmp_path: Path, busy_port: int,
                                                       command: str) -> None:
    result = run(tmp_path, command, "--port", str(busy_port), check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    found = re.fullmatch(rf"port {busy_port} is taken: try --port (\d+)", lines[0])
    assert found, lines[0]
    suggested = int(found.group(1))
    assert suggested != busy_port
    with socket.socket() as probe:  # the suggestion really is free
        probe.bind(("127.0.0.1", suggested))
    assert "password" not in result.stdout  # nothing promised that does not run


def test_the_banner_says_how_to_stop(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ADVIK_HOOKS_DIR": ""}
    env.pop("FLASK_APP", None)
    server = subprocess.Popen([str(BIN), "demo", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("demo did not start")
                time.sleep(0.2)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/demo/" in out
    assert "Press Ctrl+C to stop" in out


def test_the_readme_quick_start_shows_the_port_option() -> None:
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    quick_start = quick_start.split("\n## ", 1)[0]
    assert "advik-coupons demo --port" in quick_start
