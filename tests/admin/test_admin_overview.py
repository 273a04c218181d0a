"""The overview across coupons (docs/contracts.md §12): the admin's landing page and
``GET /api/v1/stats`` — bookings, revenue, discounts, new customers won and their repeats,
averages with and without a coupon, the share of tries turned down."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask

from advik_coupons.state import get_state
from advik_coupons.store.models import LedgerBooking
from tests.admin_support import AdminClient, admin
from tests.conftest import ApiClient, coupon_fields

__all__ = ["admin"]


def redeem(api: ApiClient, code: str, ref: str, email: str, subtotal: str) -> None:
    r = api.post("/redemptions", json={"code": code, "booking_ref": ref, "email": email,
                                       "subtotal": subtotal})
    assert r.status_code == 201, r.json


def ledger(app: Flask, ref: str, email: str, subtotal: str, days_ago: int) -> None:
    with app.app_context():
        session = get_state().session
        session.add(LedgerBooking(booking_ref=ref, email=email, email_key=email,
                                  subtotal=Decimal(subtotal), status="confirmed",
                                  created_at=datetime.now(UTC) - timedelta(days=days_ago)))
        session.commit()


def setup(app: Flask, api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields(code="SPRING10"))
    api.post("/coupons", json=coupon_fields(code="FLAT5", discount_type="fixed",
                                            discount_value="5"))
    api.post("/coupons", json=coupon_fields(code="IDLE"))
    ledger(app, "old-bo", "bo@example.com", "80.00", 200)  # Bo booked before: not new
    redeem(api, "spring10", "s-1", "ann@example.com", "100.00")   # new
    redeem(api, "spring10", "s-2", "bo@example.com", "200.00")    # returning
    redeem(api, "flat5", "f-1", "cy@example.com", "50.00")       # new
    ledger(app, "cy-again", "cy@example.com", "60.00", -1)  # Cy books again (tomorrow)
    ledger(app, "plain-1", "di@example.com", "40.00", 0)    # no coupon
    ledger(app, "plain-2", "ed@example.com", "20.00", 0)    # no coupon
    for body in ({"code": "spring10", "subtotal": "5.00"},
                 {"code": "flat5", "subtotal": "10.00"}):
        api.post("/quote", json=body)
    api.client.post("/coupons/apply", json={"code": "idle", "subtotal": "10"})


def test_the_api_answers_every_figure(any_app: Flask, any_api: ApiClient) -> None:
    setup(any_app, any_api)
    body = any_api.get("/stats").json
    rows = {row["code"]: row for row in body["coupons"]}
    assert set(rows) == {"SPRING10", "FLAT5", "IDLE"}
    spring, flat = rows["SPRING10"], rows["FLAT5"]
    assert (spring["bookings"], spring["revenue"], spring["discounts"]) == (2, "270.00", "30.00")
    assert (spring["new_customers"], spring["repeat_rate"]) == (1, "0.0000")
    assert (flat["new_customers"], flat["repeat_rate"]) == (1, "1.0000")
    assert (spring["average_with"], flat["average_with"]) == ("150.00", "50.00")
    assert spring["average_without"] == "30.00"  # 40 and 20 in the range, without a coupon
    assert rows["IDLE"]["bookings"] == 0 and rows["IDLE"]["rejection_rate"] == "0.0000"
    totals = body["totals"]
    assert (totals["bookings"], totals["revenue"], totals["new_customers"]) == (3, "315.00", 2)
    assert body["from"] < body["to"]
    by_revenue = any_api.get("/stats?sort=revenue&order=asc").json["coupons"]
    assert [r["code"] for r in by_revenue] == ["IDLE", "FLAT5", "SPRING10"]
    download = any_api.get("/stats?format=csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(download)))
    assert {r["code"] for r in table} == {"SPRING10", "FLAT5", "IDLE"}
    bad = any_api.get("/stats?from=2026-13-01")
    assert bad.status_code == 400 and "from" in bad.json["errors"]


def test_the_admin_lands_on_the_overview(app: Flask, admin: AdminClient) -> None:
    api = ApiClient(app)
    setup(app, api)
    page = admin.get("/admin/")
    assert page.status_code == 200
    text = page.text
    assert "Which coupons pay" in text and "SPRING10" in text and "$270.00" in text
    assert 'id="overview-chart"' in text
    table = admin.get("/admin/?sort=code&order=asc").text.split('id="overview-table"')[1]
    assert table.index("FLAT5") < table.index("IDLE") < table.index("SPRING10")
    exported = admin.get("/admin/overview.csv?sort=bookings")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "SPRING10" in exported.get_data(as_text=True)


def test_an_empty_range_says_so(app: Flask, admin: AdminClient) -> None:
    page = admin.get("/admin/?range=7d").text
    assert "No coupon was tried or redeemed in this range." in page


def test_the_table_pages_by_fifty_and_the_totals_cover_all(app: Flask,
                                                          admin: AdminClient) -> None:
    api = ApiClient(app)
    for n in range(53):
        api.post("/coupons", json=coupon_fields(code=f"PAGE{n:02d}"))
        redeem(api, f"page{n:02d}", f"pg-{n}", f"p{n}@example.com", f"{100 + n}.00")
    first = admin.get("/admin/?sort=code&order=asc").text
    assert first.count('class="code"') == 50
    assert "PAGE00" in first and "PAGE49" in first and "PAGE50" not in first
    assert "1–50 of 53 coupons" in first and 'id="total-bookings">53<' in first
    second = admin.get("/admin/?sort=code&order=asc&page=2").text
    assert second.count('class="code"') == 3 and "PAGE52" in second
    assert admin.get("/admin/?page=99").status_code == 200  # past the end: the last page
    rows = admin.get("/admin/overview.csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 54  # the header and every coupon
