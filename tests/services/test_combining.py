"""Combining coupons on one booking (docs/contracts.md §7), in quotes and redemptions."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from advik_coupons.state import get_state
from advik_coupons.store.models import LedgerBooking
from tests.conftest import ApiClient, coupon_fields


def setup_pair(api: ApiClient, *, second_combinable: bool = True) -> None:
    api.post("/coupons", json=coupon_fields(code="TENOFF", discount_type="fixed",
                                            discount_value="10", combinable=True))
    api.post("/coupons", json=coupon_fields(code="HALF", discount_value="50",
                                            combinable=second_combinable))


def body(**overrides: Any) -> dict[str, Any]:
    return {"subtotal": "100.00", "booking_ref": "b-1", "email": "ann@example.com",
            **overrides}


def test_a_quote_with_other_codes_prices_what_is_left(any_api: ApiClient) -> None:
    setup_pair(any_api)
    r = any_api.post("/quote", json=body(code="half", other_codes=["tenoff"]))
    assert r.status_code == 200
    assert (r.json["discount"], r.json["total"]) == ("45.00", "45.00")
    alone = any_api.post("/quote", json=body(code="half"))
    assert (alone.json["discount"], alone.json["total"]) == ("50.00", "50.00")


def test_a_quote_with_a_coupon_that_does_not_combine(any_api: ApiClient) -> None:
    setup_pair(any_api, second_combinable=False)
    r = any_api.post("/quote", json=body(code="half", other_codes=["TENOFF"]))
    assert (r.status_code, r.json["reason"]) == (422, "not_combinable")
    unknown = any_api.post("/quote", json=body(code="half", other_codes=["NOPE", "half"]))
    assert unknown.status_code == 200  # codes that are not applied do not count


def test_redemptions_stack_in_order(any_api: ApiClient) -> None:
    setup_pair(any_api)
    first = any_api.post("/redemptions", json=body(code="tenoff"))
    second = any_api.post("/redemptions", json=body(code="half"))
    assert (first.json["discount"], first.json["total"]) == ("10.00", "90.00")
    assert (second.json["discount"], second.json["total"]) == ("45.00", "45.00")
    other_facts = any_api.post("/redemptions", json=body(code="half", booking_ref="b-2",
                                                         subtotal="80.00"))
    assert other_facts.status_code == 201
    mismatch = any_api.post("/redemptions", json=body(code="tenoff", booking_ref="b-2"))
    assert (mismatch.status_code, mismatch.json["reason"]) == (409, "booking_conflict")


def ledger_status(app: Flask, ref: str) -> str:
    with app.app_context():
        return str(get_state().session.execute(
            select(LedgerBooking.status).where(LedgerBooking.booking_ref == ref)).scalar_one())


def test_cancelling_one_of_two_leaves_the_booking_live(any_api: ApiClient,
                                                       any_app: Flask) -> None:
    setup_pair(any_api)
    first = any_api.post("/redemptions", json=body(code="tenoff")).json
    second = any_api.post("/redemptions", json=body(code="half")).json
    any_api.post(f"/redemptions/{first['id']}/cancel")
    assert ledger_status(any_app, "b-1") == "confirmed"
    any_api.post(f"/redemptions/{second['id']}/cancel")
    assert ledger_status(any_app, "b-1") == "cancelled"
