"""The ``advik-coupons`` command line, run as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent / "advik-coupons"


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ADVIK_HOOKS_DIR": "", **(env or {})}
    full_env.pop("FLASK_APP", None)
    result = subprocess.run([str(BIN), *args], cwd=tmp_path, env=full_env, text=True,
                            capture_output=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_init_db_creates_the_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    out = run(tmp_path, "init-db").stdout
    assert "Schema is up to date" in out
    assert (tmp_path / "instance" / "advik_coupons.sqlite").exists()
    assert (tmp_path / "instance" / "secret_key").exists()
    run(tmp_path, "init-db")  # a second run upgrades nothing and succeeds


def test_create_token_prints_the_token_alone_on_the_last_line(tmp_path: Path) -> None:
    run(tmp_path, "init-db")
    lines = run(tmp_path, "create-token", "--name", "booking-site").stdout.strip().splitlines()
    token = lines[-1]
    assert token.startswith("advk_") and " " not in token and len(token) > 40


def test_create_admin_and_its_errors(tmp_path: Path) -> None:
    run(tmp_path, "init-db")
    ok = run(tmp_path, "create-admin", "--email", "Boss@Example.com", "--password", "s3cret-pw")
    assert "boss@example.com" in ok.stdout
    short = run(tmp_path, "create-admin", "--email", "b@example.com", "--password", "x",
                check=False)
    assert short.returncode != 0 and "8 characters" in short.stderr


def test_generate_code(tmp_path: Path) -> None:
    run(tmp_path, "init-db")
    code = run(tmp_path, "generate-code").stdout.strip()
    assert len(code) == 8 and set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path, "init-db", env={
        "ADVIK_DATABASE_URL": "mysql+pymysql://nobody:pw@127.0.0.1:1/none"}, check=False)
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ("create-token", "--name", "site"),
    ("create-admin", "--email", "b@example.com", "--password", "s3cret-pw"),
    ("revoke-token", "--name", "site"),
    ("generate-code",),
])
def test_account_commands_with_the_database_down_say_one_line(tmp_path: Path,
                                                               args: tuple[str, ...]) -> None:
    result = run(tmp_path, *args, env={
        "ADVIK_DATABASE_URL": "mysql+pymysql://nobody:pw@127.0.0.1:1/none"}, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database" in lines[0], result.stderr


def test_deliver_before_init_db_says_what_to_run(tmp_path: Path) -> None:
    result = run(tmp_path, "deliver", "--once", check=False)
    assert result.returncode == 1
    assert "run `advik-coupons init-db` first" in result.stderr
    assert "Traceback" not in result.stderr
    run(tmp_path, "init-db")
    assert "Delivered or retried 0 notice(s)." in run(tmp_path, "deliver", "--once").stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_a_threaded_server(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ADVIK_HOOKS_DIR": ""}
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("serve did not start")
                time.sleep(0.2)
        assert r.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/coupons").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_revoke_token(tmp_path: Path) -> None:
    run(tmp_path, "init-db")
    token = run(tmp_path, "create-token", "--name", "old-site").stdout.strip().splitlines()[-1]
    assert "Revoked 1" in run(tmp_path, "revoke-token", "--name", "old-site").stdout
    again = run(tmp_path, "revoke-token", "--name", "old-site", check=False)
    assert again.returncode == 1 and "no active API token" in again.stderr
    from advik_coupons import create_app
    from advik_coupons.services.accounts import check_token

    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "ADVIK_HOOKS_DIR": "",
                      "ADVIK_DATABASE_URL": f"sqlite:///{tmp_path}/instance/advik_coupons.sqlite"})
    with app.app_context():
        assert check_token(token) is None
    assert app.test_client().get("/api/v1/coupons", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401


def test_serve_behind_a_tls_proxy_marks_the_session_cookie_secure(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ADVIK_HOOKS_DIR": "", "ADVIK_TRUSTED_PROXIES": "1"}
    env.pop("FLASK_APP", None)
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    login = f"http://127.0.0.1:{port}/admin/login"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                plain = httpx.get(login, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("serve did not start")
                time.sleep(0.2)
        proxied = httpx.get(login, timeout=5, headers={"X-Forwarded-Proto": "https",
                                                       "X-Forwarded-For": "203.0.113.9"})
    finally:
        server.terminate()
        server.wait(timeout=10)
    cookies = proxied.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in c for c in cookies), cookies
    assert plain.headers.get_list("set-cookie")
    assert not any("; Secure" in c for c in plain.headers.get_list("set-cookie"))
