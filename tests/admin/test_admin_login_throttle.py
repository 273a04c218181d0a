"""The per-address limit on failed admin log-ins (``ADVIK_ADMIN_LOGIN_RATE_LIMIT``)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from advik_coupons.services.accounts import create_admin
from advik_coupons.state import get_state
from advik_coupons.store.models import AdminLoginCount
from tests.admin_support import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_from
from tests.conftest import REDIS_URL, make_app, unavailable

OTHER_ACCOUNTS = ("second@example.com", "third@example.com")
ATTACKER = "203.0.113.7"


def throttled_app(sqlite_url: str, tmp_path: Path, **config: Any) -> Flask:
    """An app with three accounts and, unless overridden, a limit of 3 failures a minute."""
    app = make_app(sqlite_url, tmp_path, **{"ADVIK_ADMIN_LOGIN_RATE_LIMIT": "3/minute",
                                            **config})
    with app.app_context():
        for email in (ADMIN_EMAIL, *OTHER_ACCOUNTS):
            create_admin(email, ADMIN_PASSWORD)
    return app


def login(client: FlaskClient, email: str, password: str, addr: str = ATTACKER,
          headers: dict[str, str] | None = None) -> Any:
    """Post the log-in form the way a browser does: the page first, for its CSRF token."""
    environ = {"REMOTE_ADDR": addr}
    page = client.get("/admin/login", environ_base=environ, headers=headers)
    return client.post("/admin/login", environ_base=environ, headers=headers,
                       data={"email": email, "password": password,
                             "csrf_token": csrf_from(page.text)})


def spray(client: FlaskClient, times: int, addr: str = ATTACKER,
          headers: dict[str, str] | None = None) -> list[int]:
    """One wrong password per try, across the accounts and an unknown e-mail."""
    emails = [*OTHER_ACCOUNTS, "nobody@example.com", ADMIN_EMAIL]
    return [login(client, emails[i % len(emails)], "Winter2024!", addr, headers).status_code
            for i in range(times)]


def assert_limited(response: Any, window: int = 60) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= window
    assert "Too many failed log-ins from your network. Try again in" in response.text
    assert 'name="password"' in response.text and 'name="csrf_token"' in response.text


def failed_logins(app: Flask, email: str) -> int:
    with app.app_context():
        db = get_state().session
        count = db.execute(select(func.coalesce(func.sum(AdminLoginCount.hits), 0))
                           .where(AdminLoginCount.email == email)).scalar_one()
        db.rollback()
        return int(count)


def test_failures_across_accounts_limit_the_address_even_for_the_right_password(
        sqlite_url: str, tmp_path: Path) -> None:
    app = throttled_app(sqlite_url, tmp_path)
    client = app.test_client()
    assert spray(client, 3) == [401, 401, 401]  # no account is near its own lock (5)
    right = login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert_limited(right)
    assert client.get("/admin/coupons").status_code == 302  # not logged in
    before = failed_logins(app, OTHER_ACCOUNTS[0])
    assert_limited(login(client, OTHER_ACCOUNTS[0], "wrong again"))
    assert failed_logins(app, OTHER_ACCOUNTS[0]) == before  # the password was not checked


def test_another_address_is_not_affected(sqlite_url: str, tmp_path: Path) -> None:
    app = throttled_app(sqlite_url, tmp_path)
    client = app.test_client()
    spray(client, 3)
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    other = app.test_client()
    assert login(other, OTHER_ACCOUNTS[0], "a wrong one", addr="198.51.100.4").status_code == 401
    assert login(other, ADMIN_EMAIL, ADMIN_PASSWORD, addr="198.51.100.4").status_code == 302
    assert other.get("/admin/coupons").status_code == 200
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD))  # the first one still is


def test_successful_logins_are_not_counted(sqlite_url: str, tmp_path: Path) -> None:
    app = throttled_app(sqlite_url, tmp_path)
    client = app.test_client()
    assert [login(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code
            for _ in range(5)] == [302] * 5
    assert spray(client, 3) == [401, 401, 401]  # three failures still allowed…
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD))  # …and only they count


def test_default_is_ten_failures_a_minute(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path)
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    client = app.test_client()
    assert spray(client, 10) == [401] * 10
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD))


def test_an_empty_setting_turns_the_limit_off(sqlite_url: str, tmp_path: Path) -> None:
    limited = throttled_app(sqlite_url, tmp_path / "on", ADVIK_ADMIN_LOGIN_RATE_LIMIT="2/minute")
    off = throttled_app(sqlite_url, tmp_path / "off", ADVIK_ADMIN_LOGIN_RATE_LIMIT="")
    on_client, off_client = limited.test_client(), off.test_client()
    assert spray(on_client, 3) == [401, 401, 429]
    assert spray(off_client, 3) == [401, 401, 401]
    assert login(off_client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302
    assert_limited(login(on_client, ADMIN_EMAIL, ADMIN_PASSWORD))


def test_a_bad_rate_fails_at_start_up(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ADVIK_ADMIN_LOGIN_RATE_LIMIT"):
        make_app(sqlite_url, tmp_path, ADVIK_ADMIN_LOGIN_RATE_LIMIT="lots")


def test_trusted_proxies_count_the_forwarded_address(sqlite_url: str, tmp_path: Path) -> None:
    app = throttled_app(sqlite_url, tmp_path, ADVIK_TRUSTED_PROXIES=1)
    client = app.test_client()
    proxy = "10.0.0.1"
    assert spray(client, 3, addr=proxy, headers={"X-Forwarded-For": "192.0.2.10"}) == [401] * 3
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD, addr=proxy,
                         headers={"X-Forwarded-For": "192.0.2.10"}))
    # A forged left-most entry does not help: the proxy's own entry is the one counted.
    assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD, addr=proxy,
                         headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.10"}))
    # Another client behind the same proxy is not limited.
    assert login(client, ADMIN_EMAIL, ADMIN_PASSWORD, addr=proxy,
                 headers={"X-Forwarded-For": "192.0.2.11"}).status_code == 302


def test_without_trusted_proxies_forwarded_for_is_ignored(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    app = throttled_app(sqlite_url, tmp_path)
    client = app.test_client()
    statuses = [login(client, OTHER_ACCOUNTS[0], "wrong",
                      headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(4)]
    assert statuses == [401, 401, 401, 429]


DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_an_unreachable_redis_falls_back_to_the_database(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = throttled_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=DEAD_REDIS)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="advik_coupons.web.limitstore"):
        assert spray(client, 3) == [401, 401, 401]
        assert_limited(login(client, ADMIN_EMAIL, ADMIN_PASSWORD))
    assert any("counting in the database" in r.getMessage() for r in caplog.records)
    other = app.test_client()
    assert login(other, ADMIN_EMAIL, ADMIN_PASSWORD, addr="198.51.100.9").status_code == 302


def test_with_redis_down_the_limit_stays_one_for_all_workers(
        any_app: Flask, tmp_path: Path) -> None:
    """Issue 18 row 9: with Redis down each worker counted on its own (40 of 80 checked)."""
    url = any_app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [make_app(url, tmp_path / name, ADVIK_ADMIN_LOGIN_RATE_LIMIT="4/minute",
                        ADVIK_RATELIMIT_STORAGE_URL=DEAD_REDIS) for name in "ab"]
    addr = "10.79." + ".".join(str(b) for b in secrets.token_bytes(2))
    clients = [w.test_client() for w in workers]
    statuses = [login(clients[i % 2], OTHER_ACCOUNTS[0], "Winter2024!", addr).status_code
                for i in range(8)]
    assert statuses == [401] * 4 + [429] * 4
    for worker in workers:
        with worker.app_context():
            get_state().engine.dispose()


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("Redis at " + REDIS_URL, exc)
    return REDIS_URL


@pytest.mark.redis
def test_redis_counts_are_shared_by_workers(sqlite_url: str, tmp_path: Path,
                                            redis_url: str) -> None:
    worker_a = throttled_app(sqlite_url, tmp_path / "a", ADVIK_RATELIMIT_STORAGE_URL=redis_url)
    worker_b = make_app(sqlite_url, tmp_path / "b", ADVIK_ADMIN_LOGIN_RATE_LIMIT="3/minute",
                        ADVIK_RATELIMIT_STORAGE_URL=redis_url)  # same database file
    addr = "10.78." + ".".join(str(b) for b in secrets.token_bytes(2))  # fresh key per run
    a, b = worker_a.test_client(), worker_b.test_client()
    assert spray(a, 2, addr=addr) == [401, 401]
    assert spray(b, 1, addr=addr) == [401]
    assert_limited(login(a, ADMIN_EMAIL, ADMIN_PASSWORD, addr=addr))
    assert_limited(login(b, ADMIN_EMAIL, ADMIN_PASSWORD, addr=addr))


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_a_burst_of_simultaneous_tries_gets_no_more_than_the_limit(
        sqlite_url: str, tmp_path: Path, storage: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_url") if storage == "redis" else "memory://"
    app = throttled_app(sqlite_url, tmp_path, ADVIK_RATELIMIT_STORAGE_URL=url)
    addr = "198.51.100." + str(secrets.randbelow(250))
    clients = [app.test_client() for _ in range(16)]
    pages = [c.get("/admin/login", environ_base={"REMOTE_ADDR": addr}) for c in clients]
    start = threading.Barrier(len(clients))

    def wrong_password(i: int) -> int:
        start.wait()  # every form is posted at once: checks before counting would all pass
        return clients[i].post("/admin/login", environ_base={"REMOTE_ADDR": addr}, data={
            "email": OTHER_ACCOUNTS[i % 2], "password": "Winter2024!",
            "csrf_token": csrf_from(pages[i].text)}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = Counter(pool.map(wrong_password, range(len(clients))))
    assert statuses == Counter({401: 3, 429: len(clients) - 3})
    with app.app_context():
        session = get_state().session
        checked = sum(session.execute(select(AdminLoginCount.hits).where(
            AdminLoginCount.email.in_(OTHER_ACCOUNTS))).scalars())
        session.rollback()
    assert checked == 3  # the passwords of the 429s were never checked
