"""Bad input gets 400 (field named) or 422 (reason), never a 500 and never a write."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon, Redemption
from tests.conftest import ApiClient, coupon_fields

HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, -0.01, 10**30, 1e308, "NaN", "nan", "Infinity", "-Infinity",
    "1e309", "", " ", "abc", "x" * 5000, "ÉTÉ-ÜBER", "'; DROP TABLE advik_coupons; --",
    [], [1, 2], {}, {"a": 1}, "\u0000", "10.005", "💸", "\ud800", ["\udfff"],
]
COUPON_FIELDS = ["name", "description", "code", "discount_type", "discount_value", "audience",
                 "starts_at", "ends_at", "days_of_week", "max_uses", "once_per_customer",
                 "min_subtotal", "max_subtotal", "booking_types", "recurring_scope", "active",
                 "generate"]
BOOKING_FIELDS = ["code", "subtotal", "email", "booking_date", "booking_type", "booking_ref",
                  "series_ref", "occurrence"]


def coupon_count(app: Flask) -> int:
    with app.app_context():
        return int(get_state().session.execute(select(func.count()).select_from(Coupon))
                   .scalar_one())


@pytest.mark.parametrize("field", COUPON_FIELDS)
def test_create_never_500s_and_names_the_field(app: Flask, api: ApiClient, field: str) -> None:
    for value in HOSTILE_VALUES:
        body = coupon_fields(code=f"OK{abs(hash(str(value))) % 10**6}")
        body[field] = value
        r = api.post("/coupons", json=body)
        assert r.status_code in {201, 400, 409}, (field, value, r.status_code, r.data[:300])
        if r.status_code == 400:
            assert field in r.json["errors"] or "code" in r.json["errors"], (field, value, r.json)
        if r.status_code == 201:
            api.delete(f"/coupons/{r.json['id']}")
    assert coupon_count(app) == 0


@pytest.mark.parametrize("path", ["/coupons", "/quote", "/redemptions", "/bookings"])
@pytest.mark.parametrize("body,content_type", [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b'{"subtotal": NaN}', "application/json"),
    (b'{"a":' * 5000, "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"<xml/>", "application/xml"),
    (b"code=X", "text/plain"),
])
def test_malformed_bodies_are_400(api: ApiClient, path: str, body: bytes,
                                  content_type: str) -> None:
    r = api.post(path, data=body, content_type=content_type)
    assert r.status_code == 400, (path, body[:20], r.status_code, r.data[:200])
    assert r.is_json


@pytest.mark.parametrize("path", ["/quote", "/redemptions"])
@pytest.mark.parametrize("field", BOOKING_FIELDS)
def test_booking_bodies_never_500(app: Flask, api: ApiClient, path: str, field: str) -> None:
    api.post("/coupons", json=coupon_fields(code="HARD"))
    created = 0
    for value in HOSTILE_VALUES:
        body = {"code": "hard", "subtotal": "120.00", "booking_ref": "r1", field: value}
        r = api.post(path, json=body)
        assert r.status_code in {200, 201, 400, 409, 422}, (field, value, r.status_code,
                                                              r.data[:300])
        if r.status_code == 409:  # the same booking_ref sent with other facts
            assert r.json["reason"] == "booking_conflict"
        if r.status_code == 400:
            assert field in r.json["errors"], (field, value, r.json)
        if r.status_code == 422:
            assert r.json["reason"] and r.json["valid"] is False
        created += r.status_code == 201
    with app.app_context():
        rows = get_state().session.execute(select(func.count()).select_from(Redemption)
                                           ).scalar_one()
    assert rows == created  # every write answered 201; nothing half-done


def test_unknown_fields_are_named(api: ApiClient) -> None:
    r = api.post("/coupons", json=coupon_fields(colour="red"))
    assert r.status_code == 400 and r.json["errors"] == {"colour": "Unknown field."}


def test_bad_email_is_400_with_errors_email(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields())
    for email in ["not-an-email", "a@b", "a b@c.com", "x" * 300 + "@x.com"]:
        r = api.post("/redemptions", json={"code": "TEST10", "subtotal": "100",
                                           "booking_ref": "b", "email": email})
        assert r.status_code == 400 and "email" in r.json["errors"], email


def test_wrong_methods_and_paths_are_json(api: ApiClient) -> None:
    assert api.put("/coupons").status_code == 405
    assert api.get("/nowhere").status_code == 404
    assert api.get("/coupons/abc").status_code == 404


def test_batches_reject_bad_counts(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields()).json
    for count in [0, -5, 10_001, "3", None, 2.5, True]:
        r = api.post(f"/coupons/{coupon['id']}/batches", json={"count": count})
        assert r.status_code == 400 and "count" in r.json["errors"], count
    r = api.post(f"/coupons/{coupon['id']}/batches", json={"count": 2, "prefix": "bad prefix!"})
    assert r.status_code == 400 and "prefix" in r.json["errors"]


def test_stats_reject_bad_ranges(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields()).json
    base = f"/coupons/{coupon['id']}/stats"
    assert api.get(base + "?from=yesterday").status_code == 400
    assert api.get(base + "?from=2026-12-10&to=2026-12-01").status_code == 400
    assert api.get(base + "?interval=hour").status_code == 400
    assert api.get(base + "?from=1900-01-01&to=2026-01-01").status_code == 400


def test_batch_prefixes_a_spreadsheet_would_escape_are_refused(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields()).json
    for prefix in ["-x", "-0", "--"]:
        r = api.post(f"/coupons/{coupon['id']}/batches", json={"count": 1, "prefix": prefix})
        assert r.status_code == 400 and "prefix" in r.json["errors"], prefix
    inner = api.post(f"/coupons/{coupon['id']}/batches", json={"count": 1, "prefix": "x-"})
    assert inner.status_code == 201, inner.text
