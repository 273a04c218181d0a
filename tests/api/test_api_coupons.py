"""The coupon endpoints of the JSON API: create, read, list, change, toggle, delete."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from tests.conftest import ApiClient, coupon_fields

EVERY_FIELD = {"id", "name", "description", "code", "discount_type", "discount_value",
               "audience", "starts_at", "ends_at", "days_of_week", "max_uses",
               "once_per_customer", "min_subtotal", "max_subtotal", "booking_types",
               "recurring_scope", "active", "used", "created_at", "updated_at"}


def test_tokens_are_required(app: Flask, api: ApiClient) -> None:
    client = app.test_client()
    assert client.get("/api/v1/coupons").status_code == 401
    bad = client.get("/api/v1/coupons", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/coupons", headers={"Authorization": api.token}).status_code == 401
    assert api.get("/coupons").status_code == 200


def test_tokens_are_stored_hashed(app: Flask, api: ApiClient) -> None:
    from sqlalchemy import select

    from advik_coupons.state import get_state
    from advik_coupons.store.models import ApiToken

    with app.app_context():
        stored = get_state().session.execute(select(ApiToken.token_hash)).scalars().all()
    assert stored and api.token not in stored and all(len(h) == 64 for h in stored)


def test_create_with_defaults_returns_every_field(api: ApiClient) -> None:
    r = api.post("/coupons", json=coupon_fields(code="  spring10 "))
    assert r.status_code == 201, r.json
    body = r.json
    assert set(body) >= EVERY_FIELD
    assert body["code"] == "SPRING10"
    assert body["discount_value"] == "10.00"
    assert (body["audience"], body["days_of_week"], body["once_per_customer"]) == ("all", [], False)
    assert (body["min_subtotal"], body["max_subtotal"]) == ("0.00", "0.00")
    assert body["booking_types"] == ["one_time", "recurring"]
    assert (body["recurring_scope"], body["active"], body["used"]) == ("first", True, 0)
    assert body["starts_at"] is not None and body["ends_at"] is None


def test_bare_dates_are_read_in_the_site_time_zone(app: Flask, tmp_path: object,
                                                   sqlite_url: str) -> None:
    from tests.conftest import make_app

    ny = make_app(sqlite_url, tmp_path, ADVIK_TIMEZONE="America/New_York")  # type: ignore[arg-type]
    client = ApiClient(ny)
    r = client.post("/coupons", json=coupon_fields(starts_at="2026-12-01", ends_at="2026-12-31"))
    assert r.status_code == 201, r.json
    assert r.json["starts_at"] == "2026-12-01T05:00:00Z"
    assert r.json["ends_at"] == "2027-01-01T04:59:59Z"


def test_generated_code(api: ApiClient) -> None:
    r = api.post("/coupons", json=coupon_fields(code=None, generate=True))
    assert r.status_code == 201, r.json
    code = r.json["code"]
    assert len(code) == 8 and set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def test_duplicate_code_in_any_case_is_409(api: ApiClient) -> None:
    assert api.post("/coupons", json=coupon_fields(code="Summer")).status_code == 201
    r = api.post("/coupons", json=coupon_fields(code="sUMMER"))
    assert r.status_code == 409
    assert "code" in r.json["errors"]


def test_validation_errors_name_each_field(api: ApiClient) -> None:
    r = api.post("/coupons", json={"name": "", "code": "bad code!", "discount_type": "percent",
                                   "discount_value": "150", "min_subtotal": "50",
                                   "max_subtotal": "10", "booking_types": [],
                                   "max_uses": 0})
    assert r.status_code == 400
    errors = r.json["errors"]
    assert {"name", "code", "discount_value", "max_subtotal", "booking_types",
            "max_uses"} <= set(errors)


def test_fixed_discount_may_exceed_100(api: ApiClient) -> None:
    r = api.post("/coupons", json=coupon_fields(discount_type="fixed", discount_value=250))
    assert r.status_code == 201, r.json
    assert r.json["discount_value"] == "250.00"


def test_read_and_404(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields()).json
    assert api.get(f"/coupons/{created['id']}").json["code"] == "TEST10"
    missing = api.get("/coupons/999999")
    assert missing.status_code == 404 and missing.is_json


def test_patch_changes_only_what_is_sent(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields(max_uses=5)).json
    r = api.patch(f"/coupons/{created['id']}", json={"discount_value": "15", "code": "new15"})
    assert r.status_code == 200, r.json
    assert (r.json["discount_value"], r.json["code"], r.json["max_uses"]) == ("15.00", "NEW15", 5)
    assert api.post("/quote", json={"code": "TEST10", "subtotal": "10"}).json["reason"] == (
        "not_found")
    # A client may send back what it read.
    echoed = api.patch(f"/coupons/{created['id']}", json=r.json)
    assert echoed.status_code == 200, echoed.json


def test_patch_can_clear_max_uses(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields(max_uses=5)).json
    r = api.patch(f"/coupons/{created['id']}", json={"max_uses": None})
    assert r.status_code == 200 and r.json["max_uses"] is None


def test_patch_to_a_taken_code_is_409(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="ONE"))
    two = api.post("/coupons", json=coupon_fields(code="TWO")).json
    assert api.patch(f"/coupons/{two['id']}", json={"code": "one"}).status_code == 409


def test_activate_and_deactivate(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields()).json
    off = api.post(f"/coupons/{created['id']}/deactivate")
    assert off.status_code == 200 and off.json["active"] is False
    assert api.post("/quote", json={"code": "test10", "subtotal": "10"}).json["reason"] == (
        "inactive")
    on = api.post(f"/coupons/{created['id']}/activate")
    assert on.json["active"] is True


def test_list_filters_and_paginates(api: ApiClient) -> None:
    for i in range(7):
        api.post("/coupons", json=coupon_fields(code=f"LIST{i}", name=f"Campaign {i}",
                                                active=i % 2 == 0))
    page = api.get("/coupons?per_page=3&page=2").json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 3, 7, 3)
    assert api.get("/coupons?active=false").json["total"] == 3
    assert [c["code"] for c in api.get("/coupons?q=list3").json["items"]] == ["LIST3"]
    assert api.get("/coupons?q=campaign 5").json["items"][0]["code"] == "LIST5"
    assert api.get("/coupons?page=0").status_code == 400
    assert api.get("/coupons?per_page=abc").status_code == 400


def test_delete_without_history_removes_it(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields()).json
    assert api.delete(f"/coupons/{created['id']}").status_code == 204
    assert api.get(f"/coupons/{created['id']}").status_code == 404
    assert api.post("/coupons", json=coupon_fields()).status_code == 201  # code free again


def test_delete_with_history_archives_and_keeps_redemptions(api: ApiClient) -> None:
    created = api.post("/coupons", json=coupon_fields()).json
    api.post("/redemptions", json={"code": "TEST10", "subtotal": "100", "booking_ref": "b1"})
    r = api.delete(f"/coupons/{created['id']}")
    assert r.status_code == 200 and r.json["archived"] is True and r.json["active"] is False
    assert api.get(f"/coupons/{created['id']}/redemptions").json["total"] == 1
    assert api.post("/quote", json={"code": "TEST10", "subtotal": "100"}).json["reason"] == (
        "inactive")
    assert api.post("/coupons", json=coupon_fields()).status_code == 409  # still reserved
    assert api.post(f"/coupons/{created['id']}/activate").status_code == 409
    assert api.get("/coupons").json["total"] == 0
    assert api.get("/coupons?archived=1").json["total"] == 1


def test_money_is_exact_decimal_strings(api: ApiClient) -> None:
    r = api.post("/coupons", json=coupon_fields(discount_type="fixed", discount_value=0.1 + 0.2))
    assert r.status_code == 400  # 0.30000000000000004 has more than two decimals
    r = api.post("/coupons", json=coupon_fields(discount_type="fixed", discount_value="0.30"))
    assert r.json["discount_value"] == "0.30"
    assert Decimal(r.json["discount_value"]) == Decimal("0.3")
