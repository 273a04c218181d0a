"""Bodies above 64 KiB are ``413`` JSON on every server, chunked or not (DESIGN §13).

gunicorn hands a chunked body to the app without a ``Content-Length``
(``wsgi.input_terminated``); waitress de-chunks it first. Either way the
anonymous apply endpoint must refuse it before parsing it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from advik_coupons.web.bodies import MAX_BODY
from tests.production.servers import Server, free_port, server_env, start_server

pytestmark = [pytest.mark.timeout(90)]
CLI = str(Path(sys.executable).parent / "advik-coupons")
BIG = 1024 * 1024  # 1 MiB of JSON


def big_json(size: int = BIG) -> bytes:
    return b'{"code": "SAVE10", "subtotal": "10.00", "booking_ref": "' + b"x" * size + b'"}'


def chunks(data: bytes, size: int = 8192) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def assert_413_json(response: httpx.Response) -> None:
    assert response.status_code == 413, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "request_entity_too_large"


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("bodies")
    env = server_env(f"sqlite:///{folder}/bodies.sqlite", folder / "instance")
    subprocess.run([CLI, "init-db"], env=env, check=True, capture_output=True, timeout=60)
    server = start_server(env, folder, workers=1)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def waitress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("bodies-waitress")
    env = server_env(f"sqlite:///{folder}/bodies.sqlite", folder / "instance")
    port = free_port()
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, cwd=str(folder),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                httpx.get(url + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("serve did not start")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.parametrize("path", ["/coupons/apply", "/api/v1/quote"])
def test_gunicorn_refuses_a_chunked_body_above_the_cap(gunicorn: Server, path: str) -> None:
    response = httpx.post(gunicorn.url + path, content=chunks(big_json()),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert_413_json(response)


def test_gunicorn_refuses_a_sized_body_above_the_cap(gunicorn: Server) -> None:
    response = httpx.post(gunicorn.url + "/coupons/apply", content=big_json(MAX_BODY),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert_413_json(response)


def test_gunicorn_reads_a_chunked_body_under_the_cap(gunicorn: Server) -> None:
    body = b'{"code": "NOSUCHCODE", "subtotal": "10.00"}'
    response = httpx.post(gunicorn.url + "/coupons/apply", content=chunks(body, 7),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 422
    assert response.json()["reason"] == "not_found"


def test_gunicorn_refuses_a_chunked_form_above_the_cap(gunicorn: Server) -> None:
    form = b"code=SAVE10&subtotal=10.00&booking_ref=" + b"x" * BIG
    response = httpx.post(gunicorn.url + "/coupons/apply", content=chunks(form),
                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                          timeout=30)
    assert_413_json(response)


@pytest.mark.parametrize("chunked", [True, False])
def test_waitress_refuses_a_body_above_the_cap(waitress: str, chunked: bool) -> None:
    data = big_json()
    response = httpx.post(waitress + "/coupons/apply",
                          content=chunks(data) if chunked else data,
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert_413_json(response)

