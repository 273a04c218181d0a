"""The demo booking site without a browser: seeding, server-side pricing, the routes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from advik_coupons.commands import prepare_demo as prepare
from advik_coupons.demo.data import DEMO_ADMIN_EMAIL, DEMO_COUPONS
from advik_coupons.state import get_state
from advik_coupons.store.models import AdminUser, Coupon, CouponCode, LedgerBooking, Redemption
from tests.browser.support import used
from tests.conftest import make_app

DAY = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()


@pytest.fixture
def demo(sqlite_url: str, tmp_path: Path) -> Flask:
    app = make_app(sqlite_url, tmp_path, ADVIK_DEMO=True, ADVIK_TAX_RATE=Decimal("10"))
    prepare(app)
    return app


def csrf_of(client: FlaskClient, query: str) -> str:
    page = client.get("/demo/payment?" + query)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def book(client: FlaskClient, **fields: Any) -> Any:
    form: dict[str, Any] = {"service": ["deep", "windows"], "date": DAY, "frequency": "once",
                            "email": "ann@example.com"}
    form.update(fields)
    token = csrf_of(client, f"service=deep&date={DAY}&email=ann@example.com")
    return client.post("/demo/book", data={"csrf_token": token, **form})


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        session = get_state().session
        value = session.execute(select(func.count()).select_from(model)).scalar_one()
        session.rollback()
        return int(value)


def test_seeding_is_idempotent_and_covers_each_rule(demo: Flask) -> None:
    before = count(demo, Coupon)
    prepare(demo)
    assert count(demo, Coupon) == before == len(DEMO_COUPONS)
    assert count(demo, AdminUser) == 1
    with demo.app_context():
        session = get_state().session
        rows = {code: coupon for code, coupon in session.execute(
            select(CouponCode.code, Coupon).join(Coupon, Coupon.id == CouponCode.coupon_id))}
        assert rows["SPRING10"].min_subtotal == Decimal("100.00")
        assert rows["SPRING10"].discount_value == Decimal("10.00")
        assert rows["WELCOME15"].audience == "new"
        assert rows["WEEKDAY20"].days_of_week == {"mon", "tue", "wed", "thu", "fri"}
        assert rows["SAVE25"].discount_type == "fixed"
        assert rows["EVERYVISIT"].recurring_scope == "all"
        assert rows["SUMMER2025"].ends_at is not None
        assert rows["RETIRED"].active is False
        session.rollback()


def test_admin_password_is_kept_and_printed_the_same(demo: Flask) -> None:
    first = prepare(demo)
    assert first == prepare(demo)
    assert first[0] == DEMO_ADMIN_EMAIL and len(first[1]) >= 12


def test_the_booking_page_lists_the_demo_coupons(demo: Flask) -> None:
    client = demo.test_client()
    assert client.get("/").location.endswith("/demo/")
    html = client.get("/demo/").get_data(as_text=True)
    for coupon in DEMO_COUPONS:
        assert coupon.code in html
    assert "Deep cleaning" in html and "$140.00" in html


def test_booking_with_a_coupon_is_priced_by_the_server(demo: Flask) -> None:
    client = demo.test_client()
    response = book(client, coupon_code="spring10", subtotal="1.00", total="0.01",
                    price="1.00", discount="185.00")
    assert response.status_code == 302
    assert used(demo, "SPRING10") == 1
    with demo.app_context():
        session = get_state().session
        row = session.execute(select(Redemption)).scalar_one()
        assert (row.subtotal, row.discount, row.tax, row.total, row.source) == (
            Decimal("185.00"), Decimal("18.50"), Decimal("16.65"), Decimal("183.15"),
            "checkout")
        session.rollback()
    page = client.get(response.location).get_data(as_text=True)
    assert "SPRING10" in page and "−$18.50" in page and "$183.15" in page


def test_booking_without_a_coupon_goes_to_the_ledger(demo: Flask) -> None:
    client = demo.test_client()
    response = book(client)
    assert response.status_code == 302
    assert count(demo, LedgerBooking) == 1
    assert count(demo, Redemption) == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "$203.50" in page  # 185.00 + 10 % tax
    # The customer has booked now: the new-customers code no longer applies.
    again = book(client, coupon_code="WELCOME15")
    assert again.status_code == 422
    assert "first-time" in again.get_data(as_text=True)


def test_rejected_coupon_at_booking_consumes_nothing(demo: Flask) -> None:
    response = book(demo.test_client(), coupon_code="SUMMER2025")
    assert response.status_code == 422
    assert "expired" in response.get_data(as_text=True)
    assert count(demo, Redemption) == 0
    assert count(demo, LedgerBooking) == 0


def test_recurring_booking_starts_a_series(demo: Flask) -> None:
    client = demo.test_client()
    response = book(client, frequency="weekly", coupon_code="EVERYVISIT")
    assert response.status_code == 302
    with demo.app_context():
        session = get_state().session
        row = session.execute(select(Redemption)).scalar_one()
        assert row.booking_type == "recurring" and row.series_ref == row.booking_ref
        session.rollback()
    assert "applies to every visit" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("fields", [
    {"service": ["nope"]}, {"service": []}, {"date": "2001-01-01"}, {"date": "soon"},
    {"email": "not-an-email"}, {"frequency": "hourly"},
])
def test_bad_booking_forms_are_400(demo: Flask, fields: dict[str, Any]) -> None:
    response = book(demo.test_client(), **fields)
    assert response.status_code == 400
    assert count(demo, LedgerBooking) == 0


def test_booking_needs_the_csrf_token(demo: Flask) -> None:
    response = demo.test_client().post("/demo/book", data={
        "service": "deep", "date": DAY, "frequency": "once", "email": "ann@example.com"})
    assert response.status_code == 400
    assert count(demo, LedgerBooking) == 0


def test_confirmation_is_only_for_the_customer_who_booked(demo: Flask) -> None:
    response = book(demo.test_client())
    assert demo.test_client().get(response.location).status_code == 404


def test_demo_routes_are_off_unless_the_setting_is_on(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/demo/").status_code == 404
    assert not client.get("/").location.endswith("/demo/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_command_serves_the_site(tmp_path: Path) -> None:
    """``advik-coupons demo`` in an empty folder: schema, coupons, admin log-in, the site."""
    command = Path(sys.executable).parent / "advik-coupons"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVIK_")}
    env["ADVIK_HOOKS_DIR"] = ""
    process = subprocess.Popen([str(command), "demo", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        lines: list[str] = []
        assert process.stdout is not None
        while not any("Advik Coupons on http" in line for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        output = "".join(lines)
        assert f"log in as {DEMO_ADMIN_EMAIL} / password " in output
        assert "SPRING10" in output
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(base + "/", follow_redirects=True, timeout=10)
        assert page.status_code == 200 and "SPRING10" in page.text
        answer = httpx.post(base + "/coupons/apply", json={"code": "spring10",
                                                           "subtotal": "100.00"}, timeout=10)
        assert answer.json()["discount"] == "10.00"
        assert (tmp_path / "instance" / "advik_coupons.sqlite").exists()
    finally:
        process.terminate()
        process.wait(10)


def test_booking_guesses_are_rate_limited_like_apply(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_DEMO=True, ADVIK_APPLY_RATE_LIMIT="3/minute")
    prepare(app)
    client = app.test_client()
    answers = [book(client, coupon_code=f"GUESS{n}").status_code for n in range(4)]
    assert answers[:3] == [422, 422, 422]
    assert answers[3] == 429
