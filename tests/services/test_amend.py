"""Amend (docs/contracts.md §7): a rescheduled or repriced booking is checked again,
keeps its use, and moves the rollup; a refused amend changes nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask

from advik_coupons import events, signals
from tests.conftest import ApiClient, coupon_fields


def booking(**overrides: Any) -> dict[str, Any]:
    return {"code": "test10", "subtotal": "100.00", "email": "ann@example.com",
            "booking_ref": "b-1", "booking_date": "2030-01-07", **overrides}


def stats(api: ApiClient, coupon_id: int) -> tuple[int, str, str]:
    body = api.get(f"/coupons/{coupon_id}/stats").json
    return body["bookings"], body["revenue"], body["discounts"]


def test_a_repriced_booking_is_priced_again(any_api: ApiClient, any_app: Flask) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(max_uses=1, min_subtotal="50")).json
    seen: list[dict[str, Any]] = []
    events.connect(signals.coupon_redemption_amended,
                   lambda sender, **kw: seen.append(kw), any_app)
    first = any_api.post("/redemptions", json=booking()).json
    assert stats(any_api, coupon["id"]) == (1, "90.00", "10.00")
    amended = any_api.patch(f"/redemptions/{first['id']}",
                            json={"subtotal": "200.00", "email": "ann@example.com",
                                  "booking_date": "2030-01-09", "booking_time": "10:00"})
    assert amended.status_code == 200, amended.json
    body = amended.json
    assert (body["id"], body["subtotal"], body["discount"], body["total"],
            body["booking_date"], body["booking_time"]) == (
        first["id"], "200.00", "20.00", "180.00", "2030-01-09", "10:00")
    assert any_api.get(f"/coupons/{coupon['id']}").json["used"] == 1  # it kept its use
    assert stats(any_api, coupon["id"]) == (1, "180.00", "20.00")
    assert events.wait_for_hooks(any_app)
    assert seen[0]["changes"]["subtotal"] == ["100.00", "200.00"]
    assert seen[0]["redemption"]["discount"] == "20.00"


def test_a_refused_amend_changes_nothing(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(min_subtotal="50",
                                                         days_of_week=["mon"])).json
    first = any_api.post("/redemptions", json=booking()).json
    for change, reason in (({"subtotal": "20.00"}, "below_minimum"),
                           ({"booking_date": "2030-01-08"}, "day_not_allowed")):
        r = any_api.patch(f"/redemptions/{first['id']}", json={
            "subtotal": "100.00", "email": "ann@example.com", "booking_date": "2030-01-07",
            **change})
        assert (r.status_code, r.json["reason"]) == (422, reason)
    stored = any_api.get(f"/coupons/{coupon['id']}/redemptions").json["items"][0]
    assert (stored["subtotal"], stored["booking_date"]) == ("100.00", "2030-01-07")
    assert stats(any_api, coupon["id"]) == (1, "90.00", "10.00")


def test_amend_does_not_count_against_the_limits(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(max_uses=1, once_per_customer=True))
    first = any_api.post("/redemptions", json=booking()).json
    r = any_api.patch(f"/redemptions/{first['id']}", json={"subtotal": "150.00",
                                                          "email": "ann@example.com"})
    assert (r.status_code, r.json["discount"]) == (200, "15.00")


def test_amend_same_facts_is_a_no_op_and_cancelled_is_409(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields())
    first = any_api.post("/redemptions", json=booking()).json
    same = any_api.patch(f"/redemptions/{first['id']}", json={
        "subtotal": "100.00", "email": "ANN@example.com", "booking_date": "2030-01-07"})
    assert same.status_code == 200 and same.json == first | {"email": first["email"]}
    any_api.post(f"/redemptions/{first['id']}/cancel")
    r = any_api.patch(f"/redemptions/{first['id']}", json={"subtotal": "100.00"})
    assert (r.status_code, r.json["reason"]) == (409, "cancelled")
    missing = any_api.patch("/redemptions/999999", json={"subtotal": "1.00"})
    assert missing.status_code == 404
    bad = any_api.patch(f"/redemptions/{first['id']}", json={"subtotal": "-1"})
    assert bad.status_code == 400 and "subtotal" in bad.json["errors"]


def test_a_later_occurrence_is_amended_on_the_series_terms(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(recurring_scope="all", max_subtotal="300"))
    base = booking(booking_type="recurring", series_ref="S-1")
    any_api.post("/redemptions", json={**base, "booking_ref": "S-1-0", "occurrence": 0})
    later = any_api.post("/redemptions", json={**base, "booking_ref": "S-1-1",
                                               "occurrence": 1}).json
    ok = any_api.patch(f"/redemptions/{later['id']}", json={
        "subtotal": "250.00", "email": "ann@example.com", "booking_type": "recurring"})
    assert (ok.status_code, ok.json["discount"], ok.json["occurrence"]) == (200, "25.00", 1)
    too_big = any_api.patch(f"/redemptions/{later['id']}", json={
        "subtotal": "301.00", "email": "ann@example.com", "booking_type": "recurring"})
    assert too_big.json["reason"] == "above_maximum"
    stranger = any_api.patch(f"/redemptions/{later['id']}", json={
        "subtotal": "250.00", "email": "eve@example.com", "booking_type": "recurring"})
    assert stranger.json["reason"] == "customer_not_eligible"
