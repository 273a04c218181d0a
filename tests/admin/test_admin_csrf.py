"""Every admin form carries a CSRF token; a missing or wrong one is a 400 and changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.admin_support import AdminClient, admin
from tests.conftest import make_coupon

__all__ = ["admin"]

FORMS = ["/admin/coupons/new", "/admin/coupons/{id}/edit", "/admin/coupons/{id}/toggle",
         "/admin/coupons/{id}/delete", "/admin/coupons/{id}/apply",
         "/admin/coupons/{id}/batches", "/admin/logout"]


@pytest.mark.parametrize("template", FORMS)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_a_valid_token_is_400(app: Flask, admin: AdminClient, template: str,
                                           token: str | None) -> None:
    coupon_id = make_coupon(app)
    data = {"name": "Changed", "code": "CHANGED", "discount_type": "percent",
            "discount_value": "5", "booking_types": "one_time", "booking_ref": "B-1",
            "subtotal": "100.00", "count": "3"}
    if token:
        data["csrf_token"] = token
    response = admin.post(template.format(id=coupon_id), data, csrf=False)
    assert response.status_code == 400
    with app.app_context():
        coupon = get_state().session.get(Coupon, coupon_id)
        assert coupon is not None and coupon.name == "Test coupon" and coupon.active
        assert coupon.used == 0
    assert admin.get("/admin/coupons").status_code == 200  # still logged in


def test_login_form_needs_its_token_too(app: Flask) -> None:
    response = app.test_client().post("/admin/login", data={"email": "a@example.com",
                                                            "password": "whatever1"})
    assert response.status_code == 400


def test_the_api_and_the_payment_step_stay_free_of_csrf(app: Flask, admin: AdminClient) -> None:
    make_coupon(app)
    response = admin.client.post("/coupons/apply", json={"code": "TEST10", "subtotal": "100"})
    assert response.status_code == 200
    assert admin.client.post("/api/v1/quote", json={"code": "x"}).status_code == 401
