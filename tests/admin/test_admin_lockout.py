"""The lock after wrong passwords: per e-mail *and* address, and blind to whether the
e-mail is an account.

Issue 18 row 2: five wrong passwords from anywhere locked the owner out for 15
minutes; only real accounts said "locked", and they answered without checking
a hash (~4 ms against ~110 ms), so the lock told which e-mails are admins.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advik_coupons.services import accounts
from advik_coupons.services.accounts import LOCKED, WRONG_LOGIN, create_admin
from tests.admin_support import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_from
from tests.conftest import make_app

STRANGER, OWNER = "203.0.113.50", "198.51.100.20"
UNKNOWN = "nobody-here@example.com"


@pytest.fixture
def locking_app(sqlite_url: str, tmp_path: Path) -> Flask:
    app = make_app(sqlite_url, tmp_path, ADVIK_ADMIN_MAX_FAILED_LOGINS=3)
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    return app


def login(client: FlaskClient, email: str, password: str, addr: str) -> Any:
    environ = {"REMOTE_ADDR": addr}
    page = client.get("/admin/login", environ_base=environ)
    return client.post("/admin/login", environ_base=environ, data={
        "email": email, "password": password, "csrf_token": csrf_from(page.text)})


def answer(response: Any) -> tuple[int, str]:
    """What the page says, without its CSRF token and the e-mail typed."""
    text = re.sub(r'value="[^"]*"', 'value=""', response.text)
    return response.status_code, text


def test_a_stranger_cannot_lock_the_owner_out(locking_app: Flask) -> None:
    stranger = locking_app.test_client()
    for _ in range(3):
        assert login(stranger, ADMIN_EMAIL, "guess guess", STRANGER).status_code == 401
    locked = login(stranger, ADMIN_EMAIL, ADMIN_PASSWORD, STRANGER)
    assert locked.status_code == 401 and LOCKED in locked.text
    owner = locking_app.test_client()
    assert login(owner, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER).status_code == 302
    assert owner.get("/admin/coupons").status_code == 200
    assert LOCKED in login(stranger, ADMIN_EMAIL, ADMIN_PASSWORD, STRANGER).text


def test_known_and_unknown_e_mails_answer_alike(locking_app: Flask) -> None:
    known, unknown = locking_app.test_client(), locking_app.test_client()
    for _ in range(3):
        a = login(known, ADMIN_EMAIL, "guess guess", STRANGER)
        b = login(unknown, UNKNOWN, "guess guess", STRANGER)
        assert answer(a) == answer(b) and WRONG_LOGIN in a.text
    a = login(known, ADMIN_EMAIL, "guess guess", STRANGER)
    b = login(unknown, UNKNOWN, "guess guess", STRANGER)
    assert answer(a) == answer(b) and LOCKED in a.text


def test_every_answer_checks_one_hash_of_the_same_cost(
        locking_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked account, an unknown e-mail and a wrong password all cost one hash check
    with the same method (what made them differ by 100 ms was a skipped check)."""
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$")[0])
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    client = locking_app.test_client()
    for email in (ADMIN_EMAIL, UNKNOWN):
        for _ in range(5):  # three wrong ones, then two while locked
            checked.clear()
            login(client, email, "guess guess", STRANGER)
            assert len(checked) == 1
            assert checked[0] == accounts._DUMMY_HASH.split("$")[0]


def test_a_good_log_in_ends_the_run_of_failures(locking_app: Flask) -> None:
    client = locking_app.test_client()
    for _ in range(2):
        login(client, ADMIN_EMAIL, "guess guess", OWNER)
    assert login(client, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER).status_code == 302
    for _ in range(2):
        login(client, ADMIN_EMAIL, "guess guess", OWNER)
    assert login(client, ADMIN_EMAIL, ADMIN_PASSWORD, OWNER).status_code == 302


def test_the_lock_ends_after_its_time(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_ADMIN_MAX_FAILED_LOGINS=2,
                   ADVIK_ADMIN_LOCK_MINUTES=0.02)  # 1.2 s
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    client = app.test_client()
    for _ in range(2):
        login(client, ADMIN_EMAIL, "guess guess", STRANGER)
    assert LOCKED in login(client, ADMIN_EMAIL, ADMIN_PASSWORD, STRANGER).text
    time.sleep(1.5)
    assert login(client, ADMIN_EMAIL, ADMIN_PASSWORD, STRANGER).status_code == 302
