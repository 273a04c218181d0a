"""Line items in booking bodies (docs/contracts.md §7): prices per line, and a 400 naming
the bad field for every bad line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient, coupon_fields

LINES = [{"service": "deep", "staff": "maria", "location": "north", "quantity": 1,
          "unit_price": "140.00"},
         {"service": "windows", "quantity": 2, "unit_price": "22.50"}]


def quote(api: ApiClient, **overrides: Any) -> Any:
    body: dict[str, Any] = {"code": "deep20", "items": LINES}
    body.update(overrides)
    return api.post("/quote", json=body)


def test_a_service_coupon_discounts_its_lines_only(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="DEEP20", discount_value="20",
                                                services=["deep"]))
    r = quote(any_api)
    assert r.status_code == 200, r.json
    assert (r.json["subtotal"], r.json["discount"], r.json["total"]) == (
        "185.00", "28.00", "157.00")
    assert [(i["service"], i["discount"], i["eligible"]) for i in r.json["items"]] == [
        ("deep", "28.00", True), ("windows", "0.00", False)]
    assert r.json["items"][1] == {"service": "windows", "staff": None, "location": None,
                                  "quantity": 2, "unit_price": "22.50", "discount": "0.00",
                                  "eligible": False}


def test_no_eligible_line_is_refused(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="DEEP20", services=["carpet"]))
    r = quote(any_api)
    assert (r.status_code, r.json["reason"]) == (422, "no_eligible_items")
    plain = any_api.post("/quote", json={"code": "deep20", "subtotal": "100.00"})
    assert plain.json["reason"] == "no_eligible_items"


def test_staff_and_location_lists(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="DEEP20", staff=["maria"],
                                                locations=["north"]))
    r = quote(any_api)
    assert (r.json["discount"], [i["eligible"] for i in r.json["items"]]) == (
        "14.00", [True, False])


def test_the_split_adds_up_with_a_cap(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="DEEP20", discount_value="50",
                                                max_discount="33.33"))
    r = quote(any_api)
    assert r.json["discount"] == "33.33"
    assert sum(float(i["discount"]) * 100 for i in r.json["items"]) == 3333


def test_subtotal_and_lines_must_agree(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="DEEP20"))
    assert quote(api, subtotal="185.00").status_code == 200
    r = quote(api, subtotal="180.00")
    assert r.status_code == 400 and "subtotal" in r.json["errors"]


def test_a_body_without_items_behaves_as_before(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="DEEP20"))
    r = api.post("/quote", json={"code": "deep20", "subtotal": "120.00"})
    assert r.json == {"valid": True, "code": "DEEP20", "message": "Coupon applied",
                      "discount": "12.00", "subtotal": "120.00", "tax": "0.00",
                      "total": "108.00", "currency": "USD", "locale": "en"}


def line(**overrides: Any) -> dict[str, Any]:
    return {"service": "deep", "unit_price": "10.00", **overrides}


@pytest.mark.parametrize("items,field", [
    ([], "items"),
    ([line(service=f"s{n}") for n in range(101)], "items"),
    ("deep", "items"),
    ([line(), line()], "items[1]"),
    ([line(service="bad id!")], "items[0].service"),
    ([line(service=None)], "items[0].service"),
    ([line(service="x" * 65)], "items[0].service"),
    ([line(staff="no way")], "items[0].staff"),
    ([line(location=7)], "items[0].location"),
    ([line(quantity=0)], "items[0].quantity"),
    ([line(quantity=10**9)], "items[0].quantity"),
    ([line(quantity=True)], "items[0].quantity"),
    ([line(quantity="2.5")], "items[0].quantity"),
    ([line(unit_price="10.005")], "items[0].unit_price"),
    ([line(unit_price="-1")], "items[0].unit_price"),
    ([line(unit_price=None)], "items[0].unit_price"),
    ([line(), line(service="oven", unit_price="abc")], "items[1].unit_price"),
    ([7], "items[0]"),
])
def test_bad_lines_are_400_naming_the_field(api: ApiClient, items: Any, field: str) -> None:
    api.post("/coupons", json=coupon_fields(code="DEEP20"))
    for path in ("/quote", "/redemptions"):
        r = api.post(path, json={"code": "deep20", "items": items, "booking_ref": "b-1"})
        assert r.status_code == 400, (path, r.json)
        assert field in r.json["errors"], r.json
    applied = api.client.post("/coupons/apply", json={"code": "deep20", "items": items})
    assert applied.status_code == 400 and field in applied.json["errors"]


@pytest.mark.parametrize("value", ["25:00", "9.30", "noon", "12:60", 930])
def test_bad_booking_times_are_400(api: ApiClient, value: Any) -> None:
    api.post("/coupons", json=coupon_fields(code="DEEP20"))
    r = api.post("/quote", json={"code": "deep20", "subtotal": "10", "booking_time": value})
    assert r.status_code == 400 and "booking_time" in r.json["errors"]


def test_the_redemption_keeps_its_lines(any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="DEEP20", discount_value="20",
                                                services=["deep"]))
    r = any_api.post("/redemptions", json={"code": "deep20", "items": LINES,
                                           "booking_ref": "b-1", "booking_time": "09:30"})
    assert r.status_code == 201, r.json
    assert (r.json["discount"], r.json["booking_time"]) == ("28.00", "09:30")
    assert [i["discount"] for i in r.json["items"]] == ["28.00", "0.00"]
    again = any_api.post("/redemptions", json={"code": "deep20", "items": LINES,
                                               "booking_ref": "b-1", "booking_time": "09:30"})
    assert again.status_code == 200
    other = any_api.post("/redemptions", json={"code": "deep20", "items": LINES[:1],
                                               "booking_ref": "b-1", "booking_time": "09:30"})
    assert (other.status_code, other.json["reason"]) == (409, "booking_conflict")
