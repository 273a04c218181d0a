"""``POST /coupons/apply`` with bad input: always 400 or 422, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_coupon

GOOD = {"code": "SAFE10", "subtotal": "100.00"}


@pytest.fixture
def client_app(any_app: Flask) -> Flask:
    make_coupon(any_app, code="SAFE10")
    return any_app


def post(app: Flask, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = app.test_client().post("/coupons/apply", **kwargs)
    assert response.is_json, response.data[:200]
    return response.status_code, response.get_json()


@pytest.mark.parametrize("code", [
    "", "   ", None, 12345678901234567890, True, ["SAFE10"], {"a": 1}, "A" * 51,
])
def test_missing_or_malformed_code_field_is_400(client_app: Flask, code: object) -> None:
    status, body = post(client_app, json={**GOOD, "code": code})
    assert status in (400, 422)
    if status == 400:
        assert body["reason"] == "invalid_request"
        assert "code" in body["errors"]


@pytest.mark.parametrize("code", [
    "'; DROP TABLE advik_coupons; --", "SAFE10' OR '1'='1", "SAFE10\" OR 1=1 #",
    "ÄÖÜ", "優惠券", "🎟️SAVE", "SAFE10\x00", "SAFE%", "SAFE_", "\u202eSAFE10", "../../etc",
    "<script>alert(1)</script>",
])
def test_sql_looking_and_non_ascii_codes_are_just_invalid(client_app: Flask, code: str) -> None:
    status, body = post(client_app, json={**GOOD, "code": code})
    assert status == 422
    assert body == {"valid": False, "reason": "not_found", "message": "This coupon isn't valid.",
                    "locale": "en"}


def test_lone_surrogates_are_400_not_500(client_app: Flask) -> None:
    raw = b'{"code": "SAFE\\ud800", "subtotal": "10.00", "email": "a\\udfff@b.co"}'
    status, body = post(client_app, data=raw, content_type="application/json")
    assert status == 400
    assert set(body["errors"]) == {"code", "email"}


def test_wildcards_do_not_match_other_codes(client_app: Flask) -> None:
    assert post(client_app, json={**GOOD, "code": "SAFE1_"})[0] == 422
    assert post(client_app, json={**GOOD, "code": "SAFE10"})[0] == 200


@pytest.mark.parametrize("subtotal", [
    "-1", "-0.01", -5, "1e309", "1E+309", "NaN", "nan", "Infinity", "-Infinity", "abc", "",
    None, "12.345", "99999999999999999999", "1e999999999", True, [], {}, "0x10", "1,000.00",
])
def test_bad_subtotals_are_400(client_app: Flask, subtotal: object) -> None:
    status, body = post(client_app, json={**GOOD, "subtotal": subtotal})
    assert status == 400
    assert body["reason"] == "invalid_request"
    assert "subtotal" in body["errors"]


@pytest.mark.parametrize("raw", [
    b'{"code": "SAFE10", "subtotal": 1e309}', b'{"code": "SAFE10", "subtotal": NaN}',
    b'{"code": "SAFE10", "subtotal": Infinity}', b'{"code": "SAFE10", "subtotal": -1}',
])
def test_bad_json_numbers_are_400(client_app: Flask, raw: bytes) -> None:
    status, body = post(client_app, data=raw, content_type="application/json")
    assert status == 400
    assert body["reason"] == "invalid_request"


def test_json_number_subtotal_is_read_exactly(client_app: Flask) -> None:
    status, body = post(client_app, data=b'{"code": "safe10", "subtotal": 100.10}',
                        content_type="application/json")
    assert status == 200
    assert body["discount"] == "10.01"


@pytest.mark.parametrize("raw", [
    b"", b"{", b"[]", b'"SAFE10"', b"null", b"{'code': 'SAFE10'}", b"\xff\xfe{}",
    b'{"code": "SAFE10", "subtotal": "1"' + b"]" * 10, b"[" * 60_000,
])
def test_invalid_json_is_400(client_app: Flask, raw: bytes) -> None:
    status, body = post(client_app, data=raw, content_type="application/json")
    assert status == 400
    assert body["reason"] == "invalid_request"


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/xml", "application/octet-stream", "image/png",
])
def test_wrong_content_types_are_400(client_app: Flask, content_type: str) -> None:
    status, body = post(client_app, data=b'{"code": "SAFE10", "subtotal": "1"}',
                        content_type=content_type)
    assert status == 400
    assert body["reason"] == "invalid_request"


def test_empty_request_is_400_naming_the_fields(client_app: Flask) -> None:
    status, body = post(client_app)
    assert status == 400
    assert {"code", "subtotal"} <= set(body["errors"])


def test_huge_body_is_413(client_app: Flask) -> None:
    status, body = post(client_app, json={**GOOD, "padding": "x" * 100_000})
    assert status == 413
    assert body["error"] == "request_entity_too_large"


@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-email"), ("email", "a" * 300 + "@example.com"), ("email", 5),
    ("booking_date", "2026-13-01"), ("booking_date", "tomorrow"), ("booking_date", 1.5),
    ("booking_type", "weekly"), ("booking_type", ["one_time"]),
])
def test_bad_booking_fields_are_400(client_app: Flask, field: str, value: object) -> None:
    status, body = post(client_app, json={**GOOD, field: value})
    assert status == 400
    assert field in body["errors"]


def test_get_is_not_allowed(client_app: Flask) -> None:
    response = client_app.test_client().get("/coupons/apply")
    assert response.status_code == 405
