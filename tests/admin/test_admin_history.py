"""A coupon's history (DESIGN §12): who, when, what, before → after, on the coupon's page
and at ``GET /api/v1/coupons/<id>/history`` — written by every service that changes it."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from advik_coupons import Booking, redeem
from tests.admin_support import ADMIN_EMAIL, AdminClient
from tests.conftest import ApiClient, coupon_fields


def test_api_and_admin_changes_are_in_the_history(any_app: Flask) -> None:
    api = ApiClient(any_app)
    admin = AdminClient(any_app)
    created = api.post("/coupons", json=coupon_fields(code="HIST10", name="History"))
    assert created.status_code == 201, created.text
    coupon_id = created.json["id"]
    assert api.patch(f"/coupons/{coupon_id}", json={"discount_value": "15"}).status_code == 200
    assert api.post(f"/coupons/{coupon_id}/deactivate").status_code == 200
    assert admin.post(f"/admin/coupons/{coupon_id}/toggle").status_code == 302
    assert api.post(f"/coupons/{coupon_id}/batches", json={"count": 3}).status_code == 201
    with any_app.app_context():
        made = redeem("HIST10", Booking(subtotal=Decimal("100.00"), booking_ref="h-1"))
    assert admin.post(f"/admin/coupons/{coupon_id}/bookings/{made.redemption.id}/cancel"
                      ).status_code == 302
    assert admin.post(f"/admin/coupons/{coupon_id}/delete").status_code == 302  # archived
    assert admin.post(f"/admin/coupons/{coupon_id}/restore").status_code == 302

    answer = api.get(f"/coupons/{coupon_id}/history")
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [i["action"] for i in items] == [
        "restored", "archived", "cancelled", "batch", "activated", "deactivated", "edited",
        "created"]
    assert answer.json["total"] == 8
    edited = items[-2]
    assert edited["changes"] == {"discount_value": ["10.00", "15.00"]}
    assert edited["via"] == "api" and edited["who"] == "tests"
    assert items[4]["actor"] == f"admin:{ADMIN_EMAIL}"
    assert items[2]["changes"]["booking_ref"] == ["h-1", None]
    assert items[-1]["changes"]["code"] == [None, "HIST10"]
    assert "once_per_customer" not in items[-1]["changes"]  # a default is not news
    assert all(i["at"].endswith("Z") for i in items)

    page = admin.get(f"/admin/coupons/{coupon_id}").text
    assert "History" in page and "Restored" in page and "Codes generated" in page
    assert "10.00" in page and "15.00" in page and ADMIN_EMAIL in page
    assert "API token" in page
    assert "Percentage (%)" in page  # choices read as the form names them


def test_history_needs_a_token_and_a_coupon(app: Flask) -> None:
    api = ApiClient(app)
    coupon_id = api.post("/coupons", json=coupon_fields()).json["id"]
    assert app.test_client().get(f"/api/v1/coupons/{coupon_id}/history").status_code == 401
    assert api.get("/coupons/999999/history").status_code == 404
    assert api.get(f"/coupons/{coupon_id}/history?per_page=0").status_code == 400


def test_manual_apply_is_in_the_history(app: Flask) -> None:
    api = ApiClient(app)
    admin = AdminClient(app)
    coupon_id = api.post("/coupons", json=coupon_fields(code="HAND10")).json["id"]
    response = admin.post(f"/admin/coupons/{coupon_id}/apply",
                          {"booking_ref": "hand-1", "subtotal": "80.00",
                           "booking_type": "one_time", "confirm": "1"})
    assert response.status_code == 302, response.text
    items = api.get(f"/coupons/{coupon_id}/history").json["items"]
    assert items[0]["action"] == "manual_apply"
    assert items[0]["changes"] == {"booking_ref": [None, "hand-1"], "discount": [None, "8.00"]}
    assert items[0]["actor"] == f"admin:{ADMIN_EMAIL}"
