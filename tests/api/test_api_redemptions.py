"""Quote, redeem, cancel and the ledger through the JSON API."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask

from tests.conftest import ApiClient, coupon_fields, make_app


def redeem_body(**overrides: Any) -> dict[str, Any]:
    body = {"code": "test10", "subtotal": "120.00", "booking_ref": "b-1",
            "email": "ann@example.com"}
    body.update(overrides)
    return body


def test_quote_consumes_nothing(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(max_uses=1)).json
    for _ in range(3):
        r = api.post("/quote", json={"code": "test10", "subtotal": "120.00"})
        assert r.status_code == 200
        assert r.json == {"valid": True, "code": "TEST10", "message": "Coupon applied",
                          "discount": "12.00", "subtotal": "120.00", "tax": "0.00",
                          "total": "108.00", "currency": "USD", "locale": "en"}
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 0


def test_tax_comes_from_the_settings(sqlite_url: str, tmp_path: Any) -> None:
    taxed = ApiClient(make_app(sqlite_url, tmp_path, ADVIK_TAX_RATE="8.25",
                               ADVIK_CURRENCY="eur"))
    taxed.post("/coupons", json=coupon_fields())
    r = taxed.post("/quote", json={"code": "test10", "subtotal": "120.00", "tax": "0",
                                   "tax_rate": "0"})
    assert (r.json["tax"], r.json["total"], r.json["currency"]) == ("8.91", "116.91", "EUR")


def test_redeem_is_201_then_200_for_the_same_booking(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields()).json
    first = api.post("/redemptions", json=redeem_body())
    assert first.status_code == 201
    assert {k: first.json[k] for k in ("code", "booking_ref", "discount", "total", "status",
                                       "source", "email")} == {
        "code": "TEST10", "booking_ref": "b-1", "discount": "12.00", "total": "108.00",
        "status": "redeemed", "source": "api", "email": "ann@example.com"}
    again = api.post("/redemptions", json=redeem_body())
    assert again.status_code == 200 and again.json == first.json
    other_price = api.post("/redemptions", json=redeem_body(subtotal="999.00"))
    assert (other_price.status_code, other_price.json["reason"]) == (409, "booking_conflict")
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1


def test_redeem_needs_a_booking_ref(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields())
    r = api.post("/redemptions", json=redeem_body(booking_ref=None))
    assert r.status_code == 400 and "booking_ref" in r.json["errors"]


def test_redeem_rejections_are_422(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(min_subtotal="200"))
    r = api.post("/redemptions", json=redeem_body())
    assert r.status_code == 422 and r.json["reason"] == "below_minimum"
    assert api.post("/redemptions", json=redeem_body(code="NOPE")).json["reason"] == "not_found"


def test_cancel_releases_the_use_exactly_once(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(max_uses=1)).json
    redemption = api.post("/redemptions", json=redeem_body()).json
    assert api.post("/redemptions", json=redeem_body(booking_ref="b-2")).json["reason"] == (
        "usage_limit_reached")
    for _ in range(3):
        r = api.post(f"/redemptions/{redemption['id']}/cancel")
        assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 0
    assert api.post("/redemptions", json=redeem_body(booking_ref="b-2")).status_code == 201
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1
    assert api.post("/redemptions/99999/cancel").status_code == 404


def test_cancelled_customer_may_use_a_once_per_customer_coupon_again(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(once_per_customer=True))
    first = api.post("/redemptions", json=redeem_body()).json
    assert api.post("/redemptions", json=redeem_body(booking_ref="b-2")).json["reason"] == (
        "already_used")
    api.post(f"/redemptions/{first['id']}/cancel")
    assert api.post("/redemptions", json=redeem_body(booking_ref="b-2")).status_code == 201


def test_ledger_answers_new_versus_existing(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="WELCOME", audience="new"))
    api.post("/coupons", json=coupon_fields(code="LOYAL", audience="existing"))
    assert api.post("/quote", json={"code": "loyal", "subtotal": "50",
                                    "email": "new@example.com"}).json["reason"] == (
        "existing_customers_only")
    assert api.post("/quote", json={"code": "welcome", "subtotal": "50",
                                    "email": "new@example.com"}).status_code == 200
    booked = api.post("/bookings", json={"booking_ref": "plain-1", "email": "NEW@example.com",
                                         "subtotal": "80.00", "booking_date": "2026-12-01"})
    assert booked.status_code == 201
    assert api.post("/bookings", json={"booking_ref": "plain-1", "subtotal": "80"}
                    ).status_code == 200
    assert api.post("/quote", json={"code": "welcome", "subtotal": "50",
                                    "email": "new@example.com"}).json["reason"] == (
        "new_customers_only")
    assert api.post("/quote", json={"code": "loyal", "subtotal": "50",
                                    "email": "new@example.com"}).status_code == 200


def test_a_new_customers_own_first_booking_is_not_held_against_them(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="WELCOME", audience="new"))
    api.post("/bookings", json={"booking_ref": "w-1", "email": "kim@example.com",
                                "subtotal": "80"})
    r = api.post("/redemptions", json=redeem_body(code="welcome", booking_ref="w-1",
                                                  email="kim@example.com"))
    assert r.status_code == 201


def lookup_existing(email: str) -> bool:
    return email.endswith("@regulars.example")


def test_customer_lookup_replaces_the_ledger(sqlite_url: str, tmp_path: Any) -> None:
    client = ApiClient(make_app(sqlite_url, tmp_path, ADVIK_CUSTOMER_LOOKUP=(
        "tests.api.test_api_redemptions:lookup_existing")))
    client.post("/coupons", json=coupon_fields(code="LOYAL", audience="existing"))
    assert client.post("/quote", json={"code": "loyal", "subtotal": "5",
                                       "email": "bo@regulars.example"}).status_code == 200
    assert client.post("/quote", json={"code": "loyal", "subtotal": "5",
                                       "email": "bo@else.example"}).status_code == 422


def test_redemptions_list_csv_and_stats(app: Flask, api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields()).json
    ids = [api.post("/redemptions", json=redeem_body(booking_ref=f"r-{i}", subtotal="100.00")
                    ).json["id"] for i in range(3)]
    api.post(f"/redemptions/{ids[0]}/cancel")
    listed = api.get(f"/coupons/{coupon['id']}/redemptions?per_page=2").json
    assert (listed["total"], len(listed["items"])) == (3, 2)
    exported = api.get(f"/coupons/{coupon['id']}/redemptions?format=csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert sorted(r["booking_ref"] for r in rows) == ["r-0", "r-1", "r-2"]
    stats = api.get(f"/coupons/{coupon['id']}/stats?interval=week").json
    assert (stats["bookings"], stats["revenue"], stats["discounts"]) == (2, "180.00", "20.00")
    assert sum(p["redemptions"] for p in stats["series"]) == 2


def test_batches_are_single_use_and_csv(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(max_uses=10)).json
    r = api.post(f"/coupons/{coupon['id']}/batches", json={"count": 3, "prefix": "welcome"})
    assert r.status_code == 201 and len(r.json["codes"]) == 3
    code = r.json["codes"][0]["code"]
    assert code.startswith("WELCOME-") and len(code) == len("WELCOME-") + 8
    assert api.post("/redemptions", json=redeem_body(code=code.lower())).status_code == 201
    again = api.post("/redemptions", json=redeem_body(code=code, booking_ref="other"))
    assert again.json["reason"] == "usage_limit_reached"
    download = api.post(f"/coupons/{coupon['id']}/batches?format=csv", json={"count": 5})
    lines = download.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "code,email" and len(lines) == 6
