"""The 500s a fuzzer found are 400s naming the field (issue 18 row 11).

An admin search ending in U+10FFFF, dates at the calendar's edges (9999-12-31,
0001-01-01 at +14:00) through the API and the admin form, a redemption whose
total with tax does not fit the money columns (MariaDB refuses it), and a
webhook time stamp of 400 digits given to ``webhook_verify.verify``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from advik_coupons.webhook_verify import WebhookVerificationError, sign, verify
from tests.admin.test_admin_edit import form_body
from tests.admin_support import AdminClient
from tests.conftest import ApiClient, coupon_fields, empty_tables, make_app, make_coupon
from tests.hook_receiver import SECRET

EDGE_DATES = [("ends_at", "9999-12-31"), ("ends_at", "9999-12-31T23:59"),
              ("starts_at", "0001-01-01T00:00+14:00"), ("starts_at", "0001-01-01"),
              ("ends_at", "0001-01-01T00:00:00+14:00")]


@pytest.fixture
def edge_admin(any_app: Flask) -> AdminClient:
    return AdminClient(any_app)


@pytest.mark.parametrize("query", ["A\U0010ffff", "\U0010ffff", "SUMMER-\U0010ffff",
                                   "\U0010ffff\U0010ffff"])
def test_admin_search_ending_in_the_last_code_point(edge_admin: AdminClient, query: str) -> None:
    make_coupon(edge_admin.app, code="SUMMER10")
    response = edge_admin.get("/admin/coupons", query_string={"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize(("field", "value"), EDGE_DATES)
def test_api_dates_at_the_calendar_edges_are_400(any_api: ApiClient, field: str,
                                                 value: str) -> None:
    response = any_api.post("/coupons", json=coupon_fields(**{field: value}))
    assert response.status_code == 400, response.text
    assert field in response.json["errors"]


@pytest.mark.parametrize(("field", "value"), EDGE_DATES)
def test_admin_form_dates_at_the_calendar_edges_are_400(edge_admin: AdminClient, field: str,
                                                        value: str) -> None:
    response = edge_admin.post("/admin/coupons/new", form_body(**{field: value}))
    assert response.status_code == 400, response.text[:500]
    assert "Use a date between" in response.text


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_dates_at_the_calendar_edges(any_api: ApiClient, day: str) -> None:
    make_coupon(any_api.app, code="EDGE10")
    for path in ("/quote", "/redemptions"):
        response = any_api.post(path, json={"code": "EDGE10", "subtotal": "10.00",
                                            "booking_ref": "BK-EDGE", "booking_date": day})
        assert response.status_code < 500, (path, response.text)


@pytest.fixture
def taxed_mysql(mysql_url: str, tmp_path: Path) -> Flask:
    app = make_app(mysql_url, tmp_path, ADVIK_TAX_RATE="20")
    empty_tables(app)
    return app


@pytest.mark.mysql
def test_a_redeem_total_above_the_money_columns_is_400(taxed_mysql: Flask) -> None:
    make_coupon(taxed_mysql, code="BIG1", discount_type="fixed", discount_value=Decimal("1"))
    api = ApiClient(taxed_mysql)
    body: dict[str, Any] = {"code": "BIG1", "subtotal": "9999999999.99", "booking_ref": "BK-BIG"}
    response = api.post("/redemptions", json=body)
    assert response.status_code == 400, response.text
    assert "subtotal" in response.json["errors"]
    fits = api.post("/redemptions", json={**body, "subtotal": "1000.00"})
    assert fits.status_code == 201, fits.text


@pytest.mark.parametrize("stamp", ["1" * 400, "9" * 20, "-" + "9" * 30, "١٧٠٠٠٠٠٠٠٠",
                                   "1e9", " ", "0x10", "1_700_000_000"])
def test_verify_raises_its_own_error_for_a_malformed_timestamp(stamp: str) -> None:
    headers = {"webhook-id": "evt_1", "webhook-timestamp": stamp,
               "webhook-signature": "v1,AAAA"}
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, b"{}")


@pytest.mark.parametrize("headers", [
    {"webhook-id": "evt_\udc80", "webhook-timestamp": "1700000000",
     "webhook-signature": "v1,AAAA"},
    {"webhook-id": "evt_1", "webhook-timestamp": "1700000000",
     "webhook-signature": "v1,\udc80"},
])
def test_verify_raises_its_own_error_for_malformed_headers(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, b"{}", now=1700000000)


def test_verify_raises_its_own_error_for_a_deep_body() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    headers = {"webhook-id": "evt_1", "webhook-timestamp": "1700000000",
               "webhook-signature": sign(SECRET, "evt_1", 1700000000, body)}
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, body, now=1700000000)
