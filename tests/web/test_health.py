"""``/healthz`` and ``/readyz``: alive, and ready only when the database, its migrations
and Redis answer — tried against closed ports and a server that never answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons import AdvikCoupons
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.conftest import REDIS_URL, make_app
from tests.production.servers import free_port


def ready(app: Flask, path: str = "/readyz") -> tuple[int, dict[str, object]]:
    response = app.test_client().get(path)
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (in its backlog) and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def test_healthz_answers_without_the_database(tmp_path: Path) -> None:
    app = make_app(f"mysql+pymysql://root@127.0.0.1:{free_port()}/none", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_on_a_migrated_database(app: Flask) -> None:
    status, body = ready(app)
    assert status == 200
    assert body == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


@pytest.mark.parametrize("url", ["mysql+pymysql://root@127.0.0.1:{port}/none",
                                 "postgresql+psycopg://postgres@127.0.0.1:{port}/none"])
def test_database_on_a_closed_port_is_named(url: str, tmp_path: Path) -> None:
    app = make_app(url.format(port=free_port()), tmp_path)
    status, body = ready(app)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failing"] == ["database", "migrations"]
    checks = body["checks"]
    assert isinstance(checks, dict) and checks["database"].startswith("unreachable")
    assert "root@" not in str(body) and "postgres@" not in str(body)


def test_a_database_that_never_answers_is_cut_off(silent_port: int, tmp_path: Path) -> None:
    app = make_app(f"mysql+pymysql://root@127.0.0.1:{silent_port}/none", tmp_path,
                   ADVIK_READY_TIMEOUT_SECONDS=0.5)
    status, body = ready(app)
    assert status == 503
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"] == {"database": "no answer within 0.5 s",
                              "migrations": "no answer within 0.5 s"}


def test_migrations_behind_are_named(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)  # never migrated
    status, body = ready(app)
    assert status == 503
    assert body["failing"] == ["migrations"]
    checks = body["checks"]
    assert isinstance(checks, dict) and checks["database"] == "ok"
    assert checks["migrations"].startswith("at no revision, head is ")


def test_redis_on_a_closed_port_is_named(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path,
                   ADVIK_RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{free_port()}/0")
    status, body = ready(app)
    assert status == 503
    assert body["failing"] == ["redis"]
    assert body["checks"] == {"database": "ok", "migrations": "ok",
                              "redis": "unreachable (no answer to PING)"}


def test_redis_without_the_apply_limit_is_still_checked(sqlite_url: str,
                                                        tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="",
                   ADVIK_RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{free_port()}/0")
    status, body = ready(app)
    assert status == 503 and body["failing"] == ["redis"]


@pytest.mark.redis
def test_ready_with_redis(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=REDIS_URL)
    status, body = ready(app)
    if status != 200:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {body}")
    assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


def test_probes_are_mounted_under_the_extension_prefix(tmp_path: Path) -> None:
    host = Flask("host_shop")
    host.config.update(SECRET_KEY="host", TESTING=True, ADVIK_HOOKS_DIR="",
                       ADVIK_URL_PREFIX="/coupons-plugin",
                       ADVIK_DATABASE_URL=f"sqlite:///{tmp_path / 'host.sqlite'}")
    AdvikCoupons(host)
    client = host.test_client()
    assert client.get("/coupons-plugin/healthz").get_json() == {"status": "ok"}
    status, body = ready(host, "/coupons-plugin/readyz")
    assert status == 503 and body["failing"] == ["migrations"]
    with host.app_context():
        upgrade(get_state().engine)
    assert ready(host, "/coupons-plugin/readyz")[0] == 200
    assert client.get("/readyz").status_code == 404
    with host.app_context():
        get_state().engine.dispose()


def test_standalone_root_still_leads_somewhere(app: Flask) -> None:
    assert app.test_client().get("/").status_code == 302
