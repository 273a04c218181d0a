"""Manual apply (source "manual", same rules) and code batches from the admin pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from advik_coupons import Booking, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import CouponCode, Redemption
from tests.admin_support import AdminClient, admin
from tests.conftest import make_coupon

__all__ = ["admin"]


def apply_body(**overrides: str) -> dict[str, str]:
    body = {"booking_ref": "HOST-77", "email": "Ann@Example.com", "subtotal": "150.00",
            "booking_date": "", "booking_type": "one_time", "confirm": "1"}  # past the preview
    body.update(overrides)
    return body


def test_manual_apply_records_a_manual_redemption(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="HELPDESK", discount_value=Decimal("10"))
    response = admin.post(f"/admin/coupons/{coupon_id}/apply", apply_body())
    assert response.status_code == 302
    page = admin.get(response.location).text
    assert "HELPDESK applied to booking HOST-77: $15.00 off, total $135.00." in page
    with app.app_context():
        row = get_state().session.execute(select(Redemption)).scalar_one()
        assert (row.source, row.booking_ref, row.email, row.email_key, row.discount) == (
            "manual", "HOST-77", "Ann@Example.com", "ann@example.com", Decimal("15.00"))
    again = admin.post(f"/admin/coupons/{coupon_id}/apply", apply_body())
    assert "already has HELPDESK" in admin.get(again.location).text


def test_a_rule_failure_is_shown_in_the_form(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="BIGSPEND", min_subtotal=Decimal("200"))
    response = admin.post(f"/admin/coupons/{coupon_id}/apply", apply_body())
    assert response.status_code == 422
    assert "Spend at least $200.00 to use this coupon." in response.text
    assert 'value="HOST-77"' in response.text
    with app.app_context():
        assert get_state().session.execute(select(Redemption)).first() is None


def test_bad_fields_are_named(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app)
    response = admin.post(f"/admin/coupons/{coupon_id}/apply", apply_body(
        booking_ref="", email="not-an-email", subtotal="-3", booking_date="2026-13-40"))
    assert response.status_code == 400
    for field in ("booking_ref", "email", "subtotal", "booking_date"):
        assert re.search(rf'id="{field}-error"', response.text), field


def test_batches_generate_list_and_download(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="MAILING")
    made = admin.post(f"/admin/coupons/{coupon_id}/batches", {"count": "5", "prefix": "fall"})
    assert made.status_code == 302
    batch_page = admin.get(made.location).text
    assert "5 single-use codes created." in batch_page
    codes = re.findall(r'class="code">(FALL-[A-Z0-9]{8})<', batch_page)
    assert len(codes) == 5
    with app.app_context():
        redeem(codes[0], Booking(subtotal=Decimal("20.00"), booking_ref="mail-1"),
               now=datetime.now(UTC))
    listing = admin.get(f"/admin/coupons/{coupon_id}/batches").text
    assert re.search(r'data-label="Codes" class="num">5<.*?data-label="Used" class="num">1<',
                     listing, re.S)
    batch_id = made.location.rsplit("/", 1)[1]
    exported = admin.get(f"/admin/coupons/{coupon_id}/batches/{batch_id}.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["code"] for r in rows) == sorted(codes)
    assert [r["status"] for r in rows if r["code"] == codes[0]] == ["used"]
    assert sum(r["status"] == "unused" for r in rows) == 4
    assert admin.get(f"/admin/coupons/{coupon_id}/batches/{int(batch_id) + 9}").status_code == 404


def test_batch_form_errors(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app)
    for data, field in (({"count": "0"}, "count"), ({"count": "x"}, "count"),
                        ({"count": "3", "prefix": "bad prefix!"}, "prefix")):
        response = admin.post(f"/admin/coupons/{coupon_id}/batches", data)
        assert response.status_code == 400
        assert re.search(rf'id="{field}-error"', response.text), data
    with app.app_context():
        assert get_state().session.execute(
            select(CouponCode).where(CouponCode.batch_id.is_not(None))).first() is None


def test_an_archived_coupon_takes_no_new_batch(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="ARCHIVED")
    with app.app_context():
        redeem("ARCHIVED", Booking(subtotal=Decimal("20.00"), booking_ref="old-1"))
    admin.post(f"/admin/coupons/{coupon_id}/delete")
    page = admin.get(f"/admin/coupons/{coupon_id}/batches")
    assert "archived; it takes no new codes" in page.text
    assert admin.post(f"/admin/coupons/{coupon_id}/batches", {"count": "3"}).status_code == 409
    rejected = admin.post(f"/admin/coupons/{coupon_id}/apply", apply_body())
    assert rejected.status_code == 422 and "This coupon isn&#39;t valid." in rejected.text


def test_manual_apply_with_lines(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="DEEPONLY", discount_value=Decimal("20"),
                            services=frozenset({"deep"}))
    body = {**apply_body(), "subtotal": "",
            "lines": "deep, 1, 140.00, maria, north\nwindows, 2, 22.50"}
    response = admin.post(f"/admin/coupons/{coupon_id}/apply", body)
    assert response.status_code == 302, response.text
    with app.app_context():
        row = get_state().session.execute(select(Redemption)).scalar_one()
        assert (row.subtotal, row.discount) == (Decimal("185.00"), Decimal("28.00"))
        assert [i["service"] for i in row.items] == ["deep", "windows"]
    bad = admin.post(f"/admin/coupons/{coupon_id}/apply",
                     {**body, "booking_ref": "HOST-78", "lines": "deep, 0, 140.00"})
    assert bad.status_code == 400 and "from 1 to 1000" in bad.text
