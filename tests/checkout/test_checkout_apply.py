"""``POST /coupons/apply``: the answers of docs/contracts.md §4.2 for good requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from advik_coupons import signals
from advik_coupons.events import wait_for_hooks
from tests.conftest import make_app, make_coupon


@pytest.fixture
def taxed_app(sqlite_url: str, tmp_path: Any) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_TAX_RATE=Decimal("8.25"))


def test_valid_code_answers_the_price_summary(any_app: Flask) -> None:
    make_coupon(any_app, code="SPRING10", min_subtotal=Decimal("100"))
    response = any_app.test_client().post("/coupons/apply", json={
        "code": " spring10 ", "subtotal": "120.00", "email": "ann@example.com",
        "booking_date": "2026-12-07", "booking_type": "one_time"})
    assert response.status_code == 200
    assert response.get_json() == {"valid": True, "code": "SPRING10", "message": "Coupon applied",
                             "discount": "12.00", "subtotal": "120.00", "tax": "0.00",
                             "total": "108.00", "currency": "USD", "locale": "en"}


def test_tax_is_the_sites_never_the_clients(taxed_app: Flask) -> None:
    make_coupon(taxed_app, code="FIVE", discount_type="fixed", discount_value=Decimal("5"))
    response = taxed_app.test_client().post("/coupons/apply", json={
        "code": "five", "subtotal": "100.00", "tax_rate": "0", "tax": "0.00"})
    assert response.status_code == 200
    # 8.25 % of 95.00 = 7.8375 -> 7.84 (half-up)
    assert response.get_json()["tax"] == "7.84"
    assert response.get_json()["total"] == "102.84"


def test_form_body_is_accepted(app: Flask) -> None:
    make_coupon(app, code="FORM10")
    response = app.test_client().post("/coupons/apply",
                                      data={"code": "form10", "subtotal": "50"})
    assert response.status_code == 200
    assert response.get_json()["discount"] == "5.00"


def test_recurring_answer_names_the_scope(app: Flask) -> None:
    make_coupon(app, code="EVERY", recurring_scope="all")
    response = app.test_client().post("/coupons/apply", json={
        "code": "EVERY", "subtotal": "80.00", "booking_type": "recurring"})
    assert response.status_code == 200
    assert response.get_json()["recurring_scope"] == "all"


def test_eligibility_failure_is_explained(app: Flask) -> None:
    make_coupon(app, code="SPRING10", min_subtotal=Decimal("100"))
    response = app.test_client().post("/coupons/apply",
                                      json={"code": "SPRING10", "subtotal": "99.99"})
    assert response.status_code == 422
    assert response.get_json()["valid"] is False
    assert response.get_json()["reason"] == "below_minimum"
    assert "$100.00" in response.get_json()["message"]


def test_unknown_inactive_and_malformed_codes_read_the_same(app: Flask) -> None:
    make_coupon(app, code="OFF", active=False)
    client = app.test_client()
    bodies = [client.post("/coupons/apply", json={"code": code, "subtotal": "10"}).get_json()
              for code in ("NOPE", "off", "bad code!", "ÄPFEL")]
    messages = {b["message"] for b in bodies}
    assert messages == {"This coupon isn't valid."}
    assert [b["reason"] for b in bodies] == ["not_found"] * 4  # inactive too: DESIGN §13


def test_signals_are_sent_with_the_app_as_sender(app: Flask) -> None:
    make_coupon(app, code="SIG10")
    seen: list[tuple[str, Any, dict[str, Any]]] = []

    def applied(sender: Any, **kw: Any) -> None:
        seen.append(("applied", sender, kw))

    def rejected(sender: Any, **kw: Any) -> None:
        seen.append(("rejected", sender, kw))

    signals.coupon_applied.connect(applied, sender=app)
    signals.coupon_rejected.connect(rejected, sender=app)
    try:
        client = app.test_client()
        client.post("/coupons/apply", json={"code": "sig10", "subtotal": "10"})
        client.post("/coupons/apply", json={"code": "nope", "subtotal": "10"})
        client.post("/coupons/apply", json={"code": "no pe", "subtotal": "10"})
        assert wait_for_hooks(app)
    finally:
        signals.coupon_applied.disconnect(applied, sender=app)
        signals.coupon_rejected.disconnect(rejected, sender=app)
    assert sorted(s[0] for s in seen) == ["applied", "rejected", "rejected"]
    assert all(s[1] is app for s in seen)
    applied_kw = next(s[2] for s in seen if s[0] == "applied")
    assert applied_kw["code"] == "SIG10" and str(applied_kw["price"].discount) == "1.00"
    rejected_kw = sorted((s[2] for s in seen if s[0] == "rejected"), key=lambda k: k["code"])
    assert [k["code"] for k in rejected_kw] == ["NO PE", "NOPE"]
    assert {k["reason"] for k in rejected_kw} == {"not_found"}
    assert {k["coupon_id"] for k in rejected_kw} == {None}


def test_cors_allow_list(sqlite_url: str, tmp_path: Any) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_CORS_ORIGINS="https://shop.example, "
                   "https://book.example/")
    make_coupon(app, code="CORS5")
    client = app.test_client()
    preflight = client.options("/coupons/apply", headers={
        "Origin": "https://book.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://book.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    allowed = client.post("/coupons/apply", json={"code": "CORS5", "subtotal": "10"},
                          headers={"Origin": "https://shop.example"})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.post("/coupons/apply", json={"code": "CORS5", "subtotal": "10"},
                        headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    other_preflight = client.options("/coupons/apply", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in other_preflight.headers


def test_no_cors_headers_by_default(app: Flask) -> None:
    response = app.test_client().post("/coupons/apply", json={"code": "X", "subtotal": "1"},
                                      headers={"Origin": "https://shop.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_mounted_under_a_url_prefix(sqlite_url: str, tmp_path: Any) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_URL_PREFIX="/plugin")
    make_coupon(app, code="PFX")
    client = app.test_client()
    assert client.post("/plugin/coupons/apply",
                       json={"code": "PFX", "subtotal": "10"}).status_code == 200
    assert client.get("/plugin/coupons/static/advik-coupon.js").status_code == 200
