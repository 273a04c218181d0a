"""The public ``reason`` never tells a switched-off code from an unknown one (issue 18 row 7).

``POST /coupons/apply`` answered ``inactive`` for a code that exists but is off,
so a guesser learnt which codes are real. The host's ``POST /api/v1/quote``
keeps ``inactive``.
"""

from __future__ import annotations

from flask import Flask

from tests.conftest import ApiClient, make_coupon


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
