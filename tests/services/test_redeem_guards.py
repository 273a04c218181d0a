"""Discounts that should not be given, refused (``docs/contracts.md`` §7).

Each test is an exploit an attacker found against the first version; every
one of them got money off that it should not have.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask

from tests.conftest import ApiClient, coupon_fields


def booking(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": "test10", "subtotal": "100.00", "email": "ann@example.com",
                            "booking_ref": "b-1"}
    body.update(overrides)
    return body


def series(n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"booking_type": "recurring", "series_ref": "S-1",
                              "booking_ref": f"S-1-{n}", "occurrence": n}
    return booking(**{**values, **overrides})


def used(api: ApiClient, coupon_id: int) -> int:
    return int(api.get(f"/coupons/{coupon_id}").json["used"])


def test_a_later_occurrence_from_another_customer_gets_nothing(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(
        recurring_scope="all", once_per_customer=True, max_uses=1)).json
    assert any_api.post("/redemptions", json=series(0)).status_code == 201
    any_api.post(f"/coupons/{coupon['id']}/deactivate")
    stolen = any_api.post("/redemptions", json=series(1, email="mallory@example.com"))
    assert (stolen.status_code, stolen.json["reason"]) == (422, "customer_not_eligible")
    no_email = any_api.post("/redemptions", json=series(2, email=None))
    assert (no_email.status_code, no_email.json["reason"]) == (422, "customer_not_eligible")


def test_a_later_occurrence_must_stay_a_recurring_booking(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(recurring_scope="all"))
    assert any_api.post("/redemptions", json=series(0)).status_code == 201
    one_time = any_api.post("/redemptions", json=series(1, booking_type="one_time"))
    assert (one_time.status_code, one_time.json["reason"]) == (422, "booking_type_not_allowed")


def test_a_later_occurrence_keeps_the_series_limits(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(
        recurring_scope="all", min_subtotal="50", max_subtotal="200")).json
    assert any_api.post("/redemptions", json=series(0)).status_code == 201
    any_api.patch(f"/coupons/{coupon['id']}", json={"max_subtotal": "0"})
    huge = any_api.post("/redemptions", json=series(1, subtotal="9999999.00"))
    assert (huge.status_code, huge.json["reason"]) == (422, "above_maximum")
    tiny = any_api.post("/redemptions", json=series(2, subtotal="10.00"))
    assert (tiny.status_code, tiny.json["reason"]) == (422, "below_minimum")
    fine = any_api.post("/redemptions", json=series(3, subtotal="150.00"))
    assert (fine.status_code, fine.json["discount"]) == (201, "15.00")


def test_a_series_has_exactly_one_first_discount(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(recurring_scope="first",
                                                         max_uses=10)).json
    first = any_api.post("/redemptions", json=series(1))
    assert (first.status_code, first.json["discount"]) == (201, "10.00")
    zero = any_api.post("/redemptions", json=series(0))
    assert (zero.status_code, zero.json["discount"]) == (201, "0.00")
    again = any_api.post("/redemptions", json=series(0, booking_ref="S-1-0-again"))
    assert (again.status_code, again.json["reason"]) == (409, "booking_conflict")
    repeat = any_api.post("/redemptions", json=series(0))
    assert (repeat.status_code, repeat.json["id"]) == (200, zero.json["id"])
    assert used(any_api, coupon["id"]) == 1
    discounts = [Decimal(r["discount"]) for r in
                 any_api.get(f"/coupons/{coupon['id']}/redemptions").json["items"]]
    assert sorted(discounts) == [Decimal("0.00"), Decimal("10.00")]


def test_coupons_do_not_stack_unless_each_is_combinable(any_api: ApiClient) -> None:
    for code in ("ONE", "TWO", "THREE"):
        any_api.post("/coupons", json=coupon_fields(code=code, discount_type="fixed",
                                                    discount_value="100"))
    first = any_api.post("/redemptions", json=booking(code="one"))
    assert (first.status_code, first.json["discount"]) == (201, "100.00")
    for code in ("two", "three"):
        second = any_api.post("/redemptions", json=booking(code=code))
        assert (second.status_code, second.json["reason"]) == (422, "not_combinable")


def test_combinable_coupons_never_give_more_than_the_subtotal(any_api: ApiClient) -> None:
    for code in ("ONE", "TWO", "THREE"):
        any_api.post("/coupons", json=coupon_fields(code=code, discount_type="fixed",
                                                    discount_value="60", combinable=True))
    answers = [any_api.post("/redemptions", json=booking(code=c)) for c in ("one", "two",
                                                                              "three")]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json["discount"] for a in answers] == ["60.00", "40.00", "0.00"]


def test_gmail_variants_are_one_customer(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(once_per_customer=True))
    assert any_api.post("/redemptions", json=booking(email="ann@gmail.com")).status_code == 201
    for n, variant in enumerate(["ann+1@gmail.com", "a.nn@gmail.com", "ann@googlemail.com",
                                 "Ann@Gmail.com.", "A.N.N+spring@googlemail.com"]):
        again = any_api.post("/redemptions", json=booking(email=variant, booking_ref=f"b-{n+2}"))
        assert (again.status_code, again.json["reason"]) == (422, "already_used"), variant


def test_new_customers_only_sees_through_address_variants(any_api: ApiClient) -> None:
    any_api.post("/bookings", json={"booking_ref": "old-1", "email": "ann@example.com",
                                    "subtotal": "50.00"})
    any_api.post("/coupons", json=coupon_fields(audience="new"))
    for variant in ("ann+new@example.com", "ANN@example.com", "ann@example.com."):
        r = any_api.post("/quote", json=booking(email=variant))
        assert (r.status_code, r.json["reason"]) == (422, "new_customers_only"), variant


def test_the_email_as_given_is_what_is_stored(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields())
    r = any_api.post("/redemptions", json=booking(email="Ann.Lee+spring@Example.com"))
    assert r.json["email"] == "Ann.Lee+spring@Example.com"


def test_the_same_booking_with_other_facts_is_a_conflict(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields())
    first = any_api.post("/redemptions", json=booking())
    assert first.status_code == 201
    for change in ({"subtotal": "999.00"}, {"email": "bob@example.com"},
                   {"booking_date": "2030-01-02"},
                   {"series_ref": "S-9", "booking_type": "recurring"}):
        r = any_api.post("/redemptions", json=booking(**change))
        assert (r.status_code, r.json["reason"]) == (409, "booking_conflict"), change
    same = any_api.post("/redemptions", json=booking(email="ANN@example.com"))
    assert (same.status_code, same.json) == (200, first.json)


def test_an_archived_coupon_cannot_be_changed(any_api: ApiClient, any_app: Flask) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields()).json
    assert any_api.post("/redemptions", json=booking()).status_code == 201
    assert any_api.delete(f"/coupons/{coupon['id']}").json["archived"] is True
    for call in (lambda: any_api.patch(f"/coupons/{coupon['id']}",
                                       json={"code": "FREED", "discount_value": "90"}),
                 lambda: any_api.post(f"/coupons/{coupon['id']}/activate"),
                 lambda: any_api.post(f"/coupons/{coupon['id']}/batches", json={"count": 3})):
        r = call()
        assert r.status_code == 409, r.json
    stored = any_api.get(f"/coupons/{coupon['id']}").json
    assert (stored["code"], stored["discount_value"]) == ("TEST10", "10.00")
    taken = any_api.post("/coupons", json=coupon_fields(code="test10"))
    assert taken.status_code == 409
