"""The coupon's targeting and guard fields through the API (docs/contracts.md §7):
create, read and change them, the 400 for bad ones, and each one's effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from advik_coupons.state import get_state
from advik_coupons.store.models import LedgerBooking
from tests.conftest import ApiClient, coupon_fields

NEW_FIELDS = {"services": ["deep", "windows"], "exclude_services": ["oven"],
              "staff": ["maria"], "locations": ["north", "south"],
              "hours": [{"from": "09:00", "to": "12:00"}, {"from": "14:00", "to": "17:30"}],
              "max_discount": "25.00", "uses_per_customer": 3,
              "allowed_emails": ["ann@example.com", "@example.org"], "audience": "lapsed",
              "audience_days": 60, "audience_min_bookings": None,
              "recurring_scope": "first_n", "recurring_occurrences": 4, "combinable": True}


def test_new_fields_are_created_read_and_changed(any_api: ApiClient) -> None:
    created = any_api.post("/coupons", json=coupon_fields(**NEW_FIELDS))
    assert created.status_code == 201, created.json
    for key, value in NEW_FIELDS.items():
        expected = sorted(value) if key in {"services", "locations"} else value
        assert created.json[key] == expected, key
    coupon_id = created.json["id"]
    changed = any_api.patch(f"/coupons/{coupon_id}", json={
        "services": [], "hours": [], "max_discount": None, "combinable": False,
        "audience": "all"})
    assert changed.status_code == 200, changed.json
    body = any_api.get(f"/coupons/{coupon_id}").json
    assert (body["services"], body["hours"], body["max_discount"], body["combinable"]) == (
        [], [], None, False)
    assert body["staff"] == ["maria"] and body["uses_per_customer"] == 3
    same = any_api.patch(f"/coupons/{coupon_id}", json=body)  # what was read goes back as is
    assert same.status_code == 200 and same.json == {**body, "updated_at": same.json[
        "updated_at"]}


@pytest.mark.parametrize("field,value", [
    ("services", ["bad id!"]), ("services", "deep"), ("services", [1]),
    ("staff", ["x" * 65]),
    ("hours", [{"from": "12:00", "to": "09:00"}]), ("hours", [{"from": "25:00", "to": "26:00"}]),
    ("hours", [{"from": "09:00"}]), ("hours", "09:00-12:00"), ("hours", [["09:00", "10:00"]]),
    ("max_discount", "0"), ("max_discount", "-5"), ("max_discount", "1.234"),
    ("uses_per_customer", 0), ("uses_per_customer", "many"),
    ("allowed_emails", ["not an e-mail"]), ("allowed_emails", ["@"]),
    ("allowed_emails", "ann@example.com"),
])
def test_bad_values_are_400_naming_the_field(api: ApiClient, field: str, value: Any) -> None:
    r = api.post("/coupons", json=coupon_fields(**{field: value}))
    assert r.status_code == 400 and field in r.json["errors"], r.json


@pytest.mark.parametrize("fields,needed", [
    ({"audience": "lapsed"}, "audience_days"),
    ({"audience": "loyal"}, "audience_min_bookings"),
    ({"recurring_scope": "first_n"}, "recurring_occurrences"),
])
def test_numbers_needed_with_their_choice(api: ApiClient, fields: dict[str, Any],
                                          needed: str) -> None:
    r = api.post("/coupons", json=coupon_fields(**fields))
    assert r.status_code == 400 and needed in r.json["errors"]


def booking(n: int, **overrides: Any) -> dict[str, Any]:
    return {"code": "test10", "subtotal": "100.00", "email": "ann@example.com",
            "booking_ref": f"b-{n}", **overrides}


def test_uses_per_customer(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(uses_per_customer=2))
    emails = ["ann@gmail.com", "a.nn@gmail.com", "ann+x@googlemail.com"]
    answers = [any_api.post("/redemptions", json=booking(n, email=e))
               for n, e in enumerate(emails)]
    assert [a.status_code for a in answers] == [201, 201, 422]
    assert answers[2].json["reason"] == "already_used"
    any_api.post(f"/redemptions/{answers[0].json['id']}/cancel")
    assert any_api.post("/redemptions", json=booking(9, email="ann@gmail.com")).status_code == (
        201)


def test_allowed_emails_and_domains(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(allowed_emails=["vip@example.com",
                                                                "@staff.example"]))
    for email, expected in (("VIP+1@example.com", 200), ("jo@staff.example", 200),
                            ("jo@sub.staff.example", 422), ("bob@example.com", 422)):
        r = any_api.post("/quote", json=booking(0, email=email))
        assert r.status_code == expected, email
        if expected == 422:
            assert r.json["reason"] == "customer_not_eligible"
    assert any_api.post("/quote", json=booking(0, email=None)).json["reason"] == (
        "email_required")


def ledger(app: Flask, ref: str, email: str, days_ago: int) -> None:
    with app.app_context():
        session = get_state().session
        when = datetime.now(UTC) - timedelta(days=days_ago)
        session.add(LedgerBooking(booking_ref=ref, email=email, email_key=email,
                                  booking_date=when.date(), status="confirmed",
                                  created_at=when))
        session.commit()


def test_lapsed_and_loyal_audiences_from_the_ledger(any_api: ApiClient,
                                                    any_app: Flask) -> None:
    ledger(any_app, "old-1", "gone@example.com", 200)
    ledger(any_app, "new-1", "fresh@example.com", 5)
    for n in range(3):
        ledger(any_app, f"reg-{n}", "regular@example.com", 10 + n)
    any_api.post("/coupons", json=coupon_fields(code="WINBACK", audience="lapsed",
                                                audience_days=90))
    any_api.post("/coupons", json=coupon_fields(code="LOYAL", audience="loyal",
                                                audience_min_bookings=3))
    answers = {(code, email): any_api.post("/quote", json=booking(
        0, code=code, email=email)).json.get("reason", "ok")
        for code in ("winback", "loyal")
        for email in ("gone@example.com", "fresh@example.com", "regular@example.com",
                      "nobody@example.com")}
    assert answers == {
        ("winback", "gone@example.com"): "ok",
        ("winback", "fresh@example.com"): "lapsed_customers_only",
        ("winback", "regular@example.com"): "lapsed_customers_only",
        ("winback", "nobody@example.com"): "lapsed_customers_only",
        ("loyal", "gone@example.com"): "loyal_customers_only",
        ("loyal", "fresh@example.com"): "loyal_customers_only",
        ("loyal", "regular@example.com"): "ok",
        ("loyal", "nobody@example.com"): "loyal_customers_only",
    }


def test_a_host_lookup_can_answer_the_audiences(sqlite_url: str, tmp_path: Any) -> None:
    from tests.conftest import make_app

    facts = {"old@example.com": {"bookings": 4, "last_booked": (
        datetime.now(UTC) - timedelta(days=400)).date()}}
    app = make_app(sqlite_url, tmp_path, ADVIK_CUSTOMER_LOOKUP=lambda email: facts.get(email, {}))
    api = ApiClient(app)
    api.post("/coupons", json=coupon_fields(code="WINBACK", audience="lapsed", audience_days=90))
    api.post("/coupons", json=coupon_fields(code="LOYAL", audience="loyal",
                                            audience_min_bookings=4))
    for code in ("winback", "loyal"):
        assert api.post("/quote", json=booking(0, code=code, email="old@example.com")
                        ).status_code == 200
        assert api.post("/quote", json=booking(0, code=code, email="new@example.com")
                        ).status_code == 422


def test_batches_bound_to_customers(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields()).json
    r = any_api.post(f"/coupons/{coupon['id']}/batches",
                     json={"emails": ["ann@example.com", "Bob@Example.com", "ANN@example.com"],
                           "prefix": "vip"})
    assert r.status_code == 201 and len(r.json["codes"]) == 2
    codes = {c["code"] for c in r.json["codes"]}
    csv = any_api.post(f"/coupons/{coupon['id']}/batches?format=csv",
                       json={"emails": ["cy@example.com"]}).get_data(as_text=True)
    assert csv.splitlines()[1].endswith(",cy@example.com")
    owners = [line.split(",") for line in any_api.post(
        f"/coupons/{coupon['id']}/batches?format=csv",
        json={"emails": ["dee@example.com"]}).get_data(as_text=True).splitlines()[1:]]
    dee_code = owners[0][0]
    wrong = any_api.post("/redemptions", json=booking(1, code=dee_code,
                                                      email="ann@example.com"))
    assert (wrong.status_code, wrong.json["reason"]) == (422, "customer_not_eligible")
    none = any_api.post("/quote", json=booking(1, code=dee_code, email=None))
    assert none.json["reason"] == "email_required"
    right = any_api.post("/redemptions", json=booking(2, code=dee_code,
                                                      email="Dee+shop@example.com"))
    assert right.status_code == 201
    assert len(codes) == 2
    for bad in ({"emails": ["nope"]}, {"emails": []}, {"emails": "a@b.c"},
                {"count": 2, "emails": ["a@b.co"]}):
        answer = any_api.post(f"/coupons/{coupon['id']}/batches", json=bad)
        assert answer.status_code == 400, bad
