"""Admin log-in: built-in accounts, lockout, log-out, the session cookie, the host's authorizer."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy

from advik_coupons import AdvikCoupons
from advik_coupons.services.accounts import create_admin
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.admin_support import ADMIN_EMAIL, ADMIN_PASSWORD, AdminClient, admin, csrf_from
from tests.conftest import make_coupon

__all__ = ["admin"]


def test_login_lands_on_the_list_and_shows_the_admin(admin: AdminClient) -> None:
    page = admin.get("/admin/coupons")
    assert page.status_code == 200
    assert ADMIN_EMAIL in page.text and "Log out" in page.text


def test_wrong_password_is_refused_with_one_message(app: Flask) -> None:
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    client = AdminClient.__new__(AdminClient)
    client.client = app.test_client()
    wrong = client.login(ADMIN_EMAIL, "not the password")
    unknown = client.login("nobody@example.com", "whatever1")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.text and "Wrong e-mail or password." in unknown.text
    assert client.client.get("/admin/coupons").status_code == 302


def test_too_many_wrong_passwords_lock_the_account(app: Flask) -> None:
    app.config["ADVIK_ADMIN_MAX_FAILED_LOGINS"] = 3
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    client = AdminClient.__new__(AdminClient)
    client.client = app.test_client()
    for _ in range(3):
        assert client.login(ADMIN_EMAIL, "bad password").status_code == 401
    locked = client.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert locked.status_code == 401 and "locked" in locked.text
    assert client.client.get("/admin/coupons").status_code == 302
    with app.app_context():  # the CLI's reset unlocks it
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert client.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302


def test_a_good_login_resets_the_failure_count(app: Flask) -> None:
    app.config["ADVIK_ADMIN_MAX_FAILED_LOGINS"] = 3
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    client = AdminClient.__new__(AdminClient)
    client.client = app.test_client()
    for _ in range(2):
        client.login(ADMIN_EMAIL, "bad password")
    assert client.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302
    for _ in range(2):
        client.login(ADMIN_EMAIL, "bad password")
    assert client.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302


def test_logout_needs_a_post_with_the_csrf_token(admin: AdminClient) -> None:
    assert admin.client.post("/admin/logout").status_code == 400
    assert admin.get("/admin/coupons").status_code == 200
    page = admin.get("/admin/logout")
    assert page.status_code == 200 and "Log out?" in page.text
    out = admin.client.post("/admin/logout", data={"csrf_token": csrf_from(page.text)})
    assert out.status_code == 302 and out.location.endswith("/admin/login")
    assert admin.get("/admin/coupons").status_code == 302


def test_a_new_password_ends_old_sessions(admin: AdminClient) -> None:
    with admin.app.app_context():
        create_admin(ADMIN_EMAIL, "a brand new password")
    assert admin.get("/admin/coupons").status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_over_https(app: Flask) -> None:
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = app.test_client()
        token = csrf_from(client.get("/admin/login", base_url=base).text)
        response = client.post("/admin/login", base_url=base, data={
            "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        cookie = next(h for h in response.headers.getlist("Set-Cookie")
                      if h.startswith("session="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_next_only_follows_local_paths(app: Flask) -> None:
    with app.app_context():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        coupon_id = make_coupon(app)
    for target, expected in ((f"/admin/coupons/{coupon_id}", f"/admin/coupons/{coupon_id}"),
                             ("//evil.example/x", "/admin/"),
                             ("https://evil.example/", "/admin/"),
                             ("/\\evil.example", "/admin/")):
        client = app.test_client()
        token = csrf_from(client.get("/admin/login").text)
        response = client.post("/admin/login", query_string={"next": target}, data={
            "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
        assert response.location == expected


def allow_if_header() -> bool:
    """A host's own check (a dotted-name target for ADVIK_ADMIN_AUTHORIZER)."""
    return request.headers.get("X-Host-Admin") == "yes"


def test_a_host_app_brings_its_own_authorizer(tmp_path: Path, sqlite_url: str) -> None:
    host = Flask("host_shop", instance_path=str(tmp_path / "host"))
    host.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=sqlite_url,
                       ADVIK_URL_PREFIX="/coupons-plugin", ADVIK_HOOKS_DIR="",
                       ADVIK_ADMIN_AUTHORIZER=f"{__name__}:allow_if_header")
    db = SQLAlchemy()
    db.init_app(host)
    AdvikCoupons(host, db=db)
    with host.app_context():
        upgrade(get_state().engine)
    coupon_id = make_coupon(host, code="HOSTCODE")
    client = host.test_client()
    anonymous = client.get("/coupons-plugin/admin/coupons")
    assert anonymous.status_code == 302 and "HOSTCODE" not in anonymous.text
    allowed = client.get("/coupons-plugin/admin/coupons", headers={"X-Host-Admin": "yes"})
    assert allowed.status_code == 200 and "HOSTCODE" in allowed.text
    view = client.get(f"/coupons-plugin/admin/coupons/{coupon_id}",
                      headers={"X-Host-Admin": "yes"})
    assert view.status_code == 200
    assert "/coupons-plugin/admin/static/vendor/chartjs/chart.umd.min.js" in view.text
    script = client.get("/coupons-plugin/admin/static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js" in script.data
    refused = client.post(f"/coupons-plugin/admin/coupons/{coupon_id}/toggle")
    assert refused.status_code == 401
    with host.app_context():
        get_state().engine.dispose()
