"""Admin sessions are kept on the server: log-out, a new password and idling end them.

Issue 18 row 1: a cookie copied before log-out still served the admin, a cookie
signed 30 days ago was accepted, and there was no idle timeout.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select, update

from advik_coupons.services.accounts import create_admin
from advik_coupons.state import get_state
from advik_coupons.store.models import AdminSession, AdminUser, utcnow
from tests.admin_support import ADMIN_EMAIL, AdminClient, admin, any_admin, csrf_from
from tests.conftest import make_app

__all__ = ["admin", "any_admin"]

LIST = "/admin/coupons"


def copy_of(client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = client.application.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def idle_for(app: Flask, minutes: float) -> None:
    """Pretend every admin session was last seen ``minutes`` ago."""
    with app.app_context():
        session = get_state().session
        session.execute(update(AdminSession).values(
            last_seen_at=utcnow() - timedelta(minutes=minutes)))
        session.commit()


def sessions(app: Flask) -> int:
    with app.app_context():
        session = get_state().session
        count = int(session.execute(select(func.count()).select_from(AdminSession)).scalar_one())
        session.rollback()
        return count


def test_a_cookie_copied_before_log_out_is_refused_after(any_admin: AdminClient) -> None:
    thief = copy_of(any_admin.client)
    assert thief.get(LIST).status_code == 200  # the copy works while the session lives
    page = any_admin.get("/admin/logout")
    out = any_admin.client.post("/admin/logout", data={"csrf_token": csrf_from(page.text)})
    assert out.status_code == 302
    assert thief.get(LIST).status_code == 302
    assert sessions(any_admin.app) == 0


def test_a_new_password_ends_every_copy(admin: AdminClient) -> None:
    thief = copy_of(admin.client)
    with admin.app.app_context():
        create_admin(ADMIN_EMAIL, "a brand new password")
    assert thief.get(LIST).status_code == 302
    assert admin.get(LIST).status_code == 302
    assert sessions(admin.app) == 0


def test_an_idle_session_ends(any_admin: AdminClient) -> None:
    idle_for(any_admin.app, 59)
    assert any_admin.get(LIST).status_code == 200  # and the request keeps it alive…
    idle_for(any_admin.app, 0.5)
    assert any_admin.get(LIST).status_code == 200
    idle_for(any_admin.app, 61)  # …but an hour without one ends it
    assert any_admin.get(LIST).status_code == 302
    assert copy_of(any_admin.client).get(LIST).status_code == 302


def test_a_request_moves_the_idle_clock(admin: AdminClient) -> None:
    idle_for(admin.app, 30)
    assert admin.get(LIST).status_code == 200
    with admin.app.app_context():
        session = get_state().session
        seen = session.execute(select(AdminSession.last_seen_at)).scalar_one()
        session.rollback()
    assert utcnow() - seen < timedelta(minutes=1)


def test_the_idle_time_is_a_setting(admin: AdminClient) -> None:
    admin.app.config["ADVIK_ADMIN_IDLE_MINUTES"] = 5
    idle_for(admin.app, 6)
    assert admin.get(LIST).status_code == 302


def test_a_cookie_signed_30_days_ago_is_refused(app: Flask,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A cookie as the old code wrote it (account and fingerprint), signed a month ago."""
    with app.app_context():
        create_admin(ADMIN_EMAIL, "correct horse battery")
        session = get_state().session
        row = session.execute(select(AdminUser.id, AdminUser.password_hash)).one()
        session.rollback()
    month_ago = int(time.time() - 30 * 86400)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: month_ago)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value = serializer.dumps({"advik_admin": {"id": row.id, "fp": row.password_hash[-16:]}})
    monkeypatch.undo()
    client = app.test_client()
    client.set_cookie("session", value)
    assert client.get(LIST).status_code == 302


def test_logging_in_again_sweeps_idle_sessions(admin: AdminClient) -> None:
    idle_for(admin.app, 120)
    again = AdminClient(admin.app)
    assert again.get(LIST).status_code == 200
    assert sessions(admin.app) == 1


def test_logging_in_again_ends_the_browsers_previous_session(admin: AdminClient) -> None:
    thief = copy_of(admin.client)
    assert admin.login(ADMIN_EMAIL, "correct horse battery").status_code == 302
    assert admin.get(LIST).status_code == 200
    assert thief.get(LIST).status_code == 302
    assert sessions(admin.app) == 1


@pytest.mark.parametrize("bad", ["soon", "0", "-5", "inf"])
def test_a_bad_idle_time_stops_the_start(sqlite_url: str, tmp_path: Path, bad: str) -> None:
    with pytest.raises(RuntimeError, match="ADVIK_ADMIN_IDLE_MINUTES"):
        make_app(sqlite_url, tmp_path, ADVIK_ADMIN_IDLE_MINUTES=bad)
