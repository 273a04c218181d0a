"""Amounts are ASCII numbers, and ``-0`` is ``0`` (issue 18 row 14).

``Decimal`` reads ``1_000`` and Arabic-Indic digits, so both were taken as
amounts; ``-0`` gave a ``-0.00`` tax and total.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ApiClient, coupon_fields, make_coupon

ODD = ["1_000", "١٠٠", "１００", "1 000", "0x10"]


@pytest.mark.parametrize("subtotal", ODD)
def test_odd_digits_are_not_a_subtotal(app: Flask, subtotal: str) -> None:
    make_coupon(app, code="SAVE10")
    response = app.test_client().post("/coupons/apply",
                                      json={"code": "SAVE10", "subtotal": subtotal})
    assert response.status_code == 400
    assert "subtotal" in response.json["errors"]


@pytest.mark.parametrize("value", ODD)
def test_odd_digits_are_not_a_discount(api: ApiClient, value: str) -> None:
    response = api.post("/coupons", json=coupon_fields(discount_type="fixed",
                                                       discount_value=value))
    assert response.status_code == 400
    assert "discount_value" in response.json["errors"]


@pytest.mark.parametrize("subtotal", ["-0", "-0.00", "0"])
def test_minus_zero_is_zero(app: Flask, subtotal: str) -> None:
    make_coupon(app, code="SAVE10")
    response = app.test_client().post("/coupons/apply",
                                      json={"code": "SAVE10", "subtotal": subtotal})
    assert response.status_code in {200, 422}
    assert "-0" not in "".join(str(v) for v in response.json.values())


@pytest.mark.parametrize("subtotal", ["120", "120.5", "120.50", "1E+2", " 80.00 "])
def test_plain_amounts_still_read(app: Flask, subtotal: str) -> None:
    make_coupon(app, code="SAVE10")
    response = app.test_client().post("/coupons/apply",
                                      json={"code": "SAVE10", "subtotal": subtotal})
    assert response.status_code == 200, response.text
