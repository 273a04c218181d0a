"""Rate limits on ``POST /coupons/apply``: per address, per e-mail, 429 with Retry-After."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.connection
from flask import Flask
from sqlalchemy import func, select

from advik_coupons import signals
from advik_coupons.events import wait_for_hooks
from advik_coupons.state import get_state
from advik_coupons.store.models import CouponDailyStat
from advik_coupons.web.ratelimit import app_limiter
from tests.conftest import REDIS_URL, make_app, make_coupon, unavailable

BODY = {"code": "NOPE", "subtotal": "10.00"}


def limited_app(sqlite_url: str, tmp_path: Path, **config: Any) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="3/minute", **config)


def post(app: Flask, addr: str = "10.0.0.1", **kwargs: Any) -> Any:
    kwargs.setdefault("json", BODY)
    return app.test_client().post("/coupons/apply", environ_base={"REMOTE_ADDR": addr},
                                  **kwargs)


def assert_limited(response: Any) -> None:
    assert response.status_code == 429
    assert response.is_json
    assert response.json["valid"] is False
    assert response.json["reason"] == "rate_limited"
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert response.json["retry_after"] == retry


def test_fourth_try_from_one_address_is_429(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path)
    assert [post(app).status_code for _ in range(3)] == [422, 422, 422]
    assert_limited(post(app))
    assert post(app, addr="10.0.0.2").status_code == 422  # another client is not slowed


def test_bad_requests_count_too(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path)
    for _ in range(3):
        assert post(app, json={"code": ""}).status_code == 400
    assert_limited(post(app))


def test_preflight_is_not_counted(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_CORS_ORIGINS="https://shop.example")
    client = app.test_client()
    for _ in range(5):
        assert client.options("/coupons/apply", headers={
            "Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert post(app, addr="10.0.0.9").status_code == 422


def test_one_email_from_many_addresses_is_limited(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path)
    body = {**BODY, "email": "Guess@Example.com"}
    for i in range(3):
        assert post(app, addr=f"10.1.0.{i}", json=body).status_code == 422
    assert_limited(post(app, addr="10.1.0.99", json={**body, "email": "guess@example.COM"}))
    assert post(app, addr="10.1.0.99", json={**BODY, "email": "other@example.com"}
                ).status_code == 422


def test_forwarded_for_is_ignored_without_trusted_proxies(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path)
    for i in range(3):
        post(app, headers={"X-Forwarded-For": f"192.0.2.{i}"})
    assert_limited(post(app, headers={"X-Forwarded-For": "192.0.2.200"}))


def test_forwarded_for_with_one_trusted_proxy(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_TRUSTED_PROXIES=1)
    proxy = "10.9.9.9"
    for i in range(3):
        assert post(app, addr=proxy, headers={"X-Forwarded-For": f"192.0.2.{i}"}
                    ).status_code == 422
    # A spoofed left-most entry does not help: the proxy's own entry (right-most) counts.
    for _ in range(3):
        post(app, addr=proxy, headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.50"})
    assert_limited(post(app, addr=proxy, headers={"X-Forwarded-For": "7.7.7.7, 192.0.2.50"}))
    assert post(app, addr=proxy, headers={"X-Forwarded-For": "192.0.2.51"}).status_code == 422


def test_two_apps_in_one_process_keep_their_own_memory_counts(
        sqlite_url: str, tmp_path: Path) -> None:
    first = limited_app(sqlite_url, tmp_path / "a")
    second = limited_app(sqlite_url, tmp_path / "b")
    assert app_limiter(first) is not app_limiter(second)
    for _ in range(3):
        post(first)
    assert_limited(post(first))
    assert post(second).status_code == 422


def test_empty_setting_turns_the_limit_off(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="")
    assert app_limiter(app) is None
    assert {post(app).status_code for _ in range(40)} == {422}


def test_default_is_thirty_a_minute(app: Flask) -> None:
    make_coupon(app, code="OK10")
    codes = [post(app, json={"code": "ok10", "subtotal": "10"}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429


def test_unreachable_redis_falls_back_instead_of_failing(sqlite_url: str,
                                                         tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path,
                      ADVIK_RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    assert [post(app).status_code for _ in range(3)] == [422, 422, 422]
    assert_limited(post(app))


@pytest.mark.redis
def test_redis_storage_is_shared_by_workers(sqlite_url: str, tmp_path: Path,
                                            redis_url: str) -> None:
    worker_a = limited_app(sqlite_url, tmp_path / "a", ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    worker_b = limited_app(sqlite_url, tmp_path / "b", ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    addr = "10.77." + ".".join(str(b) for b in secrets.token_bytes(2))  # fresh key per run
    assert post(worker_a, addr=addr).status_code == 422
    assert post(worker_b, addr=addr).status_code == 422
    assert post(worker_a, addr=addr).status_code == 422
    assert_limited(post(worker_b, addr=addr))
    assert_limited(post(worker_a, addr=addr))


@pytest.fixture
def redis_url() -> str:
    redis_url_or_skip()
    return REDIS_URL


def test_429_carries_cors_headers_for_allowed_origins(sqlite_url: str, tmp_path: Path) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_CORS_ORIGINS="https://shop.example")
    headers = {"Origin": "https://shop.example"}
    for _ in range(3):
        post(app, headers=headers)
    response = post(app, headers=headers)
    assert_limited(response)
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.redis
def test_redis_counts_address_and_email_in_one_round_trip(
        sqlite_url: str, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    limiter = app_limiter(app)
    assert limiter is not None
    post(app, addr="10.88.1.1")  # the script is in Redis's cache from here on
    sent: list[Any] = []
    real = redis.connection.Connection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(command)
        real(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)
    tag = secrets.token_hex(4)
    addr, email = f"10.88.0.{secrets.randbelow(250)}", f"once-{tag}@example.com"
    assert post(app, addr=addr, json={**BODY, "email": email}).status_code == 422
    assert len(sent) == 1, sent  # every counter, one command
    keys = limiter.keys(addr, email)  # the address's, the (address, e-mail) pair's, the e-mail's
    assert len(keys) == 3 and all("advik_apply" in k for k in keys)
    client = redis.Redis.from_url(redis_url)
    for key in keys:
        stored = limiter.storage.prefixed_key(key)  # type: ignore[attr-defined]
        assert client.get(stored) == b"1"
        assert 0 < client.ttl(stored) <= 60
    before = len(sent)  # (the checks above sent commands of their own)
    assert post(app, addr=addr).status_code == 422
    assert len(sent) == before + 1  # without an e-mail: one command, one counter


@pytest.mark.redis
def test_redis_email_limit_holds_across_workers(sqlite_url: str, tmp_path: Path,
                                               redis_url: str) -> None:
    workers = [limited_app(sqlite_url, tmp_path / name, ADVIK_RATELIMIT_STORAGE_URL=redis_url)
               for name in ("a", "b")]
    body = {**BODY, "email": f"spray-{secrets.token_hex(4)}@example.com"}
    statuses = [post(workers[i % 2], addr=f"10.66.{i}.1", json=body).status_code
                for i in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_a_rate_that_cannot_be_read_stops_the_app(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ADVIK_APPLY_RATE_LIMIT"):
        make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="often")


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_a_limited_try_is_not_recorded(sqlite_url: str, tmp_path: Path, storage: str) -> None:
    url = "memory://" if storage == "memory" else REDIS_URL
    if storage == "redis":
        redis_url_or_skip()
    app = limited_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=url)
    make_coupon(app, code="GOOD10")
    applied: list[Any] = []

    def seen(sender: Any, **kw: Any) -> None:
        applied.append(kw)

    signals.coupon_applied.connect(seen, sender=app)
    try:
        addr = "10.55." + ".".join(str(b) for b in secrets.token_bytes(2))
        body = {"code": "good10", "subtotal": "10"}
        assert [post(app, addr=addr, json=body).status_code for _ in range(4)] == [
            200, 200, 200, 429]
        assert wait_for_hooks(app)
    finally:
        signals.coupon_applied.disconnect(seen, sender=app)
    assert len(applied) == 3
    state = get_state(app)
    state.funnel.flush()
    with app.app_context():
        counts = dict(state.session.execute(
            select(CouponDailyStat.metric, func.sum(CouponDailyStat.count))
            .group_by(CouponDailyStat.metric)).all())
    assert counts == {"tried": 3, "applied": 3}


@pytest.mark.redis
def test_redis_that_forgot_the_script_still_counts(sqlite_url: str, tmp_path: Path,
                                                   redis_url: str) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    addr = "10.44." + ".".join(str(b) for b in secrets.token_bytes(2))
    for _ in range(3):
        redis.Redis.from_url(redis_url).script_flush()  # as after a Redis restart
        assert post(app, addr=addr).status_code == 422
    assert_limited(post(app, addr=addr))


def redis_url_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("Redis at " + REDIS_URL, exc)


@pytest.mark.redis
def test_a_redis_counter_left_without_expiry_gets_one(sqlite_url: str, tmp_path: Path,
                                                     redis_url: str) -> None:
    app = limited_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    limiter = app_limiter(app)
    assert limiter is not None
    addr = "10.33." + ".".join(str(b) for b in secrets.token_bytes(2))
    stored = limiter.storage.prefixed_key(limiter.keys(addr, None)[0])  # type: ignore[attr-defined]
    client = redis.Redis.from_url(redis_url)
    client.set(stored, 7)  # over the limit and no TTL: would block this address forever
    response = post(app, addr=addr)
    assert_limited(response)
    assert 0 < client.ttl(stored) <= 60
