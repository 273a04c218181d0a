"""The public ``reason`` never tells a switched-off code from an unknown one (issue 18 row 7).

``POST /coupons/apply`` answered ``inactive`` for a code that exists but is off,
so a guesser learnt which codes are real. The host's ``POST /api/v1/quote``
keeps ``inactive``.
"""

from __future__ import annotations

from flask import Flask

from tests.conftest import ApiClient, coupon_fields, make_coupon


def test_an_inactive_code_reads_as_unknown_on_the_public_endpoint(app: Flask) -> None:
    make_coupon(app, code="SLEEPY", active=False)
    client = app.test_client()
    off = client.post("/coupons/apply", json={"code": "SLEEPY", "subtotal": "10"})
    unknown = client.post("/coupons/apply", json={"code": "NOSUCH", "subtotal": "10"})
    assert off.status_code == unknown.status_code == 422
    assert off.get_json() == unknown.get_json()
    assert off.get_json()["reason"] == "not_found"


def test_the_host_still_hears_inactive(api: ApiClient) -> None:
    make_coupon(api.app, code="SLEEPY", active=False)
    response = api.post("/quote", json={"code": "SLEEPY", "subtotal": "10"})
    assert response.status_code == 422
    assert response.json["reason"] == "inactive"


def test_the_public_endpoint_does_not_tell_who_booked_before(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="WELCOME", audience="new"))
    api.post("/coupons", json=coupon_fields(code="ONCE", once_per_customer=True))
    booked = api.post("/bookings", json={"booking_ref": "plain-1", "email": "old@example.com",
                                         "subtotal": "80.00", "booking_date": "2026-12-01"})
    assert booked.status_code == 201
    used = api.post("/redemptions", json={"code": "ONCE", "booking_ref": "b-1",
                                          "email": "old@example.com", "subtotal": "80.00",
                                          "booking_date": "2026-12-01"})
    assert used.status_code == 201, used.json
    client = api.app.test_client()
    for code in ("WELCOME", "ONCE"):
        answers = [client.post("/coupons/apply", json={"code": code, "subtotal": "50",
                                                       "email": email})
                   for email in ("old@example.com", "never@example.com")]
        assert answers[0].status_code == answers[1].status_code, code
        assert answers[0].get_json() == answers[1].get_json(), code
    # The host's authenticated quote stays exact.
    assert api.post("/quote", json={"code": "WELCOME", "subtotal": "50",
                                    "email": "old@example.com"}).json["reason"] == (
        "new_customers_only")
    assert api.post("/quote", json={"code": "ONCE", "subtotal": "50",
                                    "email": "old@example.com"}).json["reason"] == (
        "already_used")
