"""WordPress single sign-on on the service side: ``GET /admin/sso?token=…``.

Tokens are made here with PyJWT the way the WordPress plugin makes them
(``wordpress/advik-coupons/includes/sso-token.php``; the WordPress tests use
the plugin's own). Good once, for 60 seconds, on every worker; the admin
pages of such a session may be framed by the WordPress origin only.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from sqlalchemy import func, select

from advik_coupons.state import get_state
from advik_coupons.store.models import AdminUser, SsoToken
from tests.admin_support import AdminClient
from tests.conftest import make_app

SECRET = "wp-sso-secret-for-the-tests-0123456789abcdef"
ORIGIN = "http://wp.example.test:8080"


def token(secret: str = SECRET, *, login: str = "ann", lifetime: int = 60, age: int = 0,
          **changes: Any) -> str:
    now = int(time.time()) - age
    claims: dict[str, Any] = {"iss": ORIGIN, "aud": "advik-coupons-admin", "sub": login,
                              "iat": now, "exp": now + lifetime,
                              "jti": secrets.token_hex(16)}
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret,
                      algorithm="HS256")


def frame_ancestors(response: Any) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    found = [p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors")]
    assert len(found) == 1, policy
    return found[0].removeprefix("frame-ancestors ").strip()


@pytest.fixture
def sso_app(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_WORDPRESS_SSO_SECRET=SECRET)


def admins(app: Flask) -> list[str]:
    with app.app_context():
        session = get_state().session
        names = list(session.execute(select(AdminUser.email).order_by(AdminUser.id)).scalars())
        session.rollback()
        return names


def test_off_without_the_secret(app: Flask) -> None:
    assert app.test_client().get("/admin/sso?token=" + token()).status_code == 404
    assert admins(app) == []


def test_a_valid_token_opens_the_coupon_list_without_a_password(sso_app: Flask) -> None:
    client = sso_app.test_client()
    answer = client.get("/admin/sso?token=" + token())
    assert answer.status_code == 302 and answer.location == "/admin/coupons"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert frame_ancestors(answer) == ORIGIN
    page = client.get("/admin/coupons")
    assert page.status_code == 200 and "wordpress:ann" in page.text
    assert frame_ancestors(page) == ORIGIN  # the WordPress page may frame this session
    assert frame_ancestors(client.get("/admin/coupons/new")) == ORIGIN
    # The same WordPress user again: the same account, no second one.
    assert sso_app.test_client().get("/admin/sso?token=" + token()).status_code == 302
    assert admins(sso_app) == ["wordpress:ann"]


def test_a_token_works_once(sso_app: Flask) -> None:
    once = token()
    assert sso_app.test_client().get("/admin/sso?token=" + once).status_code == 302
    again = sso_app.test_client().get("/admin/sso?token=" + once)
    assert again.status_code == 403 and "already been used" in again.text
    # Its signature holds, so the refusal may show inside the WordPress page.
    assert frame_ancestors(again) == ORIGIN
    assert again.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("case", "make", "says"), [
    ("expired", lambda: token(age=66), "expired"),  # 60 s + 5 s of clock drift allowed
    ("lives too long", lambda: token(lifetime=3600), "not valid"),
    ("issued in the future", lambda: token(age=-120), "not valid"),
    ("another secret", lambda: token("another-secret-of-at-least-32-chars!!"), "not valid"),
    ("another audience", lambda: token(aud="someone-else"), "not valid"),
    ("no token id", lambda: token(jti=None), "not valid"),
    ("no expiry", lambda: token(exp=None), "not valid"),
    ("not an origin", lambda: token(iss="http://wp.example.test/wp-admin/"), "not valid"),
    ("unsigned", lambda: jwt.encode({"sub": "ann"}, key=None, algorithm="none"), "not valid"),
    ("garbage", lambda: "not.a.token", "not valid"),
    ("empty", lambda: "", "not valid"),
])
def test_bad_tokens_sign_nobody_in(sso_app: Flask, case: str, make: Any, says: str) -> None:
    client = sso_app.test_client()
    answer = client.get("/admin/sso", query_string={"token": make()})
    assert answer.status_code == 403, case
    assert says in answer.text
    assert client.get("/admin/coupons").status_code == 302  # still logged out
    assert admins(sso_app) == []


def test_a_forged_token_may_not_be_framed(sso_app: Flask) -> None:
    answer = sso_app.test_client().get(
        "/admin/sso?token=" + token("another-secret-of-at-least-32-chars!!"))
    assert frame_ancestors(answer) == "'none'"


def test_password_sessions_are_never_framed(sso_app: Flask) -> None:
    admin = AdminClient(sso_app)
    assert frame_ancestors(admin.get("/admin/coupons")) == "'none'"
    assert frame_ancestors(admin.get("/admin/login")) == "'none'"
    # Signed in from WordPress, then with a password: a fresh session, not framable.
    assert admin.get("/admin/sso?token=" + token()).status_code == 302
    assert frame_ancestors(admin.get("/admin/coupons")) == ORIGIN
    admin.login("admin@example.com", "correct horse battery")
    assert frame_ancestors(admin.get("/admin/coupons")) == "'none'"


def test_a_short_secret_stops_the_app(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        make_app(sqlite_url, tmp_path, ADVIK_WORDPRESS_SSO_SECRET="short")


@pytest.mark.parametrize("database", [pytest.param("mysql_url", marks=pytest.mark.mysql),
                                      pytest.param("pg_url", marks=pytest.mark.postgres)])
def test_once_across_workers_and_at_the_same_moment(database: str, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    """Two apps on one server database (two workers): a token used on one is refused on
    the other, and eight simultaneous uses of one token sign in exactly once."""
    url = request.getfixturevalue(database)
    first = make_app(url, tmp_path / "a", ADVIK_WORDPRESS_SSO_SECRET=SECRET)
    second = make_app(url, tmp_path / "b", ADVIK_WORDPRESS_SSO_SECRET=SECRET)
    with first.app_context(), get_state().engine.begin() as connection:
        connection.execute(SsoToken.__table__.delete())
        connection.execute(AdminUser.__table__.delete())
    once = token(login="bo")
    assert first.test_client().get("/admin/sso?token=" + once).status_code == 302
    assert second.test_client().get("/admin/sso?token=" + once).status_code == 403

    shared = token(login="cy")
    codes: list[int] = []
    start = threading.Barrier(8)

    def use(app: Flask) -> None:
        client = app.test_client()
        start.wait()
        codes.append(client.get("/admin/sso?token=" + shared).status_code)

    threads = [threading.Thread(target=use, args=(first if i % 2 else second,))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [302] + [403] * 7
    with first.app_context():
        session = get_state().session
        assert session.execute(select(func.count()).select_from(SsoToken)).scalar_one() == 2
        session.rollback()
    for app in (first, second):
        with app.app_context():
            get_state().engine.dispose()
