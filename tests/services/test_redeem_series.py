"""Recurring series: one use, first/all scope, and terms kept for the whole series."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, coupon_fields


def occurrence(n: int, **overrides: Any) -> dict[str, Any]:
    body = {"code": "weekly", "subtotal": "100.00", "email": "ann@example.com",
            "booking_type": "recurring", "series_ref": "S-1", "booking_ref": f"S-1-{n}",
            "occurrence": n}
    body.update(overrides)
    return body


def test_scope_first_discounts_only_the_first_booking(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(code="WEEKLY", recurring_scope="first",
                                                     max_uses=5)).json
    first = api.post("/redemptions", json=occurrence(0))
    assert first.status_code == 201 and first.json["discount"] == "10.00"
    later = [api.post("/redemptions", json=occurrence(n)) for n in (1, 2, 3)]
    assert [r.status_code for r in later] == [201, 201, 201]
    assert [r.json["discount"] for r in later] == ["0.00", "0.00", "0.00"]
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1
    assert api.get(f"/coupons/{coupon['id']}/redemptions").json["total"] == 4


def test_scope_all_discounts_every_booking_with_one_use(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(code="WEEKLY", recurring_scope="all",
                                                     max_uses=1)).json
    discounts = [api.post("/redemptions", json=occurrence(n)).json["discount"]
                 for n in range(4)]
    assert discounts == ["10.00"] * 4
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1
    other = api.post("/redemptions", json=occurrence(0, series_ref="S-2", booking_ref="S-2-0"))
    assert other.json["reason"] == "usage_limit_reached"


def test_later_occurrences_keep_the_terms_the_series_started_with(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(code="WEEKLY", recurring_scope="all")).json
    assert api.post("/redemptions", json=occurrence(0)).json["discount"] == "10.00"
    api.patch(f"/coupons/{coupon['id']}", json={"discount_value": "50",
                                                "ends_at": "2020-01-01T00:00:00Z",
                                                "starts_at": "2019-01-01"})
    api.post(f"/coupons/{coupon['id']}/deactivate")
    later = api.post("/redemptions", json=occurrence(1, subtotal="80.00"))
    assert later.status_code == 201, later.json
    assert later.json["discount"] == "8.00"  # still 10 %, though the coupon is now 50 %
    # A new series gets nothing: the coupon is inactive.
    fresh = api.post("/redemptions", json=occurrence(0, series_ref="S-9", booking_ref="S-9-0"))
    assert fresh.json["reason"] == "inactive"


def test_an_occurrence_without_a_started_series_counts_as_its_first(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(code="WEEKLY", max_uses=2)).json
    r = api.post("/redemptions", json=occurrence(3))
    assert r.status_code == 201 and r.json["discount"] == "10.00"
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1


def test_cancelling_a_later_occurrence_gives_back_no_use(api: ApiClient) -> None:
    coupon = api.post("/coupons", json=coupon_fields(code="WEEKLY", recurring_scope="all")).json
    api.post("/redemptions", json=occurrence(0))
    later = api.post("/redemptions", json=occurrence(1)).json
    api.post(f"/redemptions/{later['id']}/cancel")
    assert api.get(f"/coupons/{coupon['id']}").json["used"] == 1


def test_recurring_quote_names_the_scope(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="WEEKLY", recurring_scope="all"))
    r = api.post("/quote", json={"code": "weekly", "subtotal": "100",
                                 "booking_type": "recurring"})
    assert r.json["recurring_scope"] == "all"
    one_time = api.post("/quote", json={"code": "weekly", "subtotal": "100"})
    assert "recurring_scope" not in one_time.json


def test_one_time_only_coupon_refuses_a_series(api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="WEEKLY", booking_types=["one_time"]))
    r = api.post("/redemptions", json=occurrence(0))
    assert r.status_code == 422 and r.json["reason"] == "booking_type_not_allowed"
