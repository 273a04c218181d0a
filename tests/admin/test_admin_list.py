"""The coupon list: search, status filter in SQL, sort, paging, row actions, no query per row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from advik_coupons import Booking, redeem
from advik_coupons.services.coupons import create_batch
from advik_coupons.services.serialize import coupon_status
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.admin_support import AdminClient, admin, any_admin
from tests.conftest import make_coupon

__all__ = ["admin", "any_admin"]


def codes_on(html: str) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)">', html)


def seed_statuses(app: Flask) -> dict[str, str]:
    now = datetime.now(UTC)
    ids = {
        "active": make_coupon(app, code="LIVE1", name="Live one"),
        "inactive": make_coupon(app, code="OFF1", name="Switched off", active=False),
        "scheduled": make_coupon(app, code="SOON1", name="Later",
                                 starts_at=now + timedelta(days=3)),
        "expired": make_coupon(app, code="OLD1", name="Gone",
                               starts_at=now - timedelta(days=9),
                               ends_at=now - timedelta(days=1)),
        "used_up": make_coupon(app, code="FULL1", name="Full", max_uses=1),
        "archived": make_coupon(app, code="ARCH1", name="Archived one"),
    }
    with app.app_context():
        redeem("FULL1", Booking(subtotal=Decimal("50.00"), booking_ref="full-1"))
        redeem("ARCH1", Booking(subtotal=Decimal("50.00"), booking_ref="arch-1"))
    return {status: code for status, code in zip(ids, ["LIVE1", "OFF1", "SOON1", "OLD1",
                                                       "FULL1", "ARCH1"], strict=True)} | {
        "_archive_id": str(ids["archived"])}


def test_each_status_filter_matches_the_badge(any_app: Flask, any_admin: AdminClient) -> None:
    codes = seed_statuses(any_app)
    archive_id = codes.pop("_archive_id")
    assert any_admin.post(f"/admin/coupons/{archive_id}/delete").status_code == 302
    for status, code in codes.items():
        page = any_admin.get(f"/admin/coupons?status={status}")
        assert codes_on(page.text) == [code], status
    everything = codes_on(any_admin.get("/admin/coupons").text)
    assert sorted(everything) == sorted(c for s, c in codes.items() if s != "archived")
    with any_app.app_context():  # the SQL agrees with the Python badge for every coupon
        now = datetime.now(UTC)
        for coupon in get_state().session.query(Coupon):
            page = any_admin.get(f"/admin/coupons?status={coupon_status(coupon, now)}")
            assert coupon.name in page.text


def test_search_by_code_prefix_or_name(any_admin: AdminClient, any_app: Flask) -> None:
    admin = any_admin
    make_coupon(any_app, code="SPRING10", name="Spring sale")
    make_coupon(any_app, code="WELCOME", name="New customers 100% welcome")
    make_coupon(any_app, code="SUMMER", name="Sunny days")
    with any_app.app_context():
        create_batch(make_coupon(any_app, code="MAILER", name="Mailing"), 3, "SPRINGMAIL")
    assert codes_on(admin.get("/admin/coupons?q=spr").text) == ["MAILER", "SPRING10"]
    assert codes_on(admin.get("/admin/coupons?q=spring1").text) == ["SPRING10"]
    assert codes_on(admin.get("/admin/coupons?q=SPRING SALE").text) == ["SPRING10"]
    assert codes_on(admin.get("/admin/coupons?q=sunny").text) == ["SUMMER"]
    assert codes_on(admin.get("/admin/coupons?q=100%25").text) == ["WELCOME"]
    assert codes_on(admin.get("/admin/coupons?q=_").text) == []
    assert codes_on(admin.get("/admin/coupons?q=nothing-like-it").text) == []


def test_sort_by_code_used_and_created(admin: AdminClient, app: Flask) -> None:
    for n, code in enumerate(["BBB", "AAA", "CCC"]):
        make_coupon(app, code=code, name=code)
        now = datetime.now(UTC)  # after the coupon starts (it starts when it is made)
        with app.app_context():
            for i in range(n):
                redeem(code, Booking(subtotal=Decimal("10.00"), booking_ref=f"{code}-{i}"),
                       now=now)
    assert codes_on(admin.get("/admin/coupons?sort=code").text) == ["AAA", "BBB", "CCC"]
    assert codes_on(admin.get("/admin/coupons?sort=used").text) == ["CCC", "AAA", "BBB"]
    assert codes_on(admin.get("/admin/coupons").text) == ["CCC", "AAA", "BBB"]


def test_paging_and_used_over_max(admin: AdminClient, app: Flask) -> None:
    for n in range(7):
        make_coupon(app, code=f"PAGE{n}", name=f"Page {n}", max_uses=5 if n == 0 else None)
    first = admin.get("/admin/coupons?per_page=5&sort=code")
    assert codes_on(first.text) == [f"PAGE{n}" for n in range(5)]
    assert "1–5 of 7 coupons" in first.text and "Page 1 of 2" in first.text
    assert "0 / 5" in first.text and "0 / ∞" in first.text
    second = admin.get("/admin/coupons?per_page=5&sort=code&page=2")
    assert codes_on(second.text) == ["PAGE5", "PAGE6"]
    beyond = admin.get("/admin/coupons?per_page=5&sort=code&page=99")
    assert codes_on(beyond.text) == ["PAGE5", "PAGE6"]
    junk = admin.get("/admin/coupons?page=abc&per_page=-3&status=<b>&sort=drop")
    assert junk.status_code == 200 and "<b>" not in junk.text


def _counter(seen: list[str]) -> Any:
    def count(*_args: object) -> None:
        seen.append("query")

    return count


def test_the_page_costs_the_same_queries_for_5_or_50_rows(admin: AdminClient,
                                                          app: Flask) -> None:
    for n in range(50):
        make_coupon(app, code=f"Q{n:03d}", name=f"Query {n}")
    counts = []
    for per_page in (5, 50):
        seen: list[str] = []
        with app.app_context():
            engine = get_state().engine
        count = _counter(seen)
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = admin.get(f"/admin/coupons?per_page={per_page}")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(codes_on(page.text)) == per_page
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_toggle_and_delete_from_the_list(admin: AdminClient, app: Flask) -> None:
    fresh = make_coupon(app, code="FRESH", name="Never used")
    used = make_coupon(app, code="USED", name="Has history")
    with app.app_context():
        redeem("USED", Booking(subtotal=Decimal("20.00"), booking_ref="h-1"))
    off = admin.post(f"/admin/coupons/{fresh}/toggle",
                     {"next": "/admin/coupons?status=inactive"})
    assert off.status_code == 302 and off.location == "/admin/coupons?status=inactive"
    assert "FRESH is now inactive." in admin.get(off.location).text
    assert codes_on(admin.get("/admin/coupons?status=inactive").text) == ["FRESH"]
    admin.post(f"/admin/coupons/{fresh}/toggle", {"next": "https://evil.example/"})
    assert codes_on(admin.get("/admin/coupons?status=active").text) == ["USED", "FRESH"]
    gone = admin.post(f"/admin/coupons/{fresh}/delete")
    assert "FRESH was deleted." in admin.get(gone.location).text
    assert admin.get(f"/admin/coupons/{fresh}").status_code == 404
    admin.post(f"/admin/coupons/{used}/delete")
    assert codes_on(admin.get("/admin/coupons?status=archived").text) == ["USED"]
    assert admin.post(f"/admin/coupons/{used}/toggle").status_code == 409
    assert admin.post("/admin/coupons/999999/toggle").status_code == 404


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "\"><img src=x onerror=1>"])
def test_names_are_escaped(admin: AdminClient, app: Flask, value: str) -> None:
    coupon_id = make_coupon(app, code="ESC", name=value, description=value)
    for path in ("/admin/coupons", f"/admin/coupons/{coupon_id}",
                 f"/admin/coupons/{coupon_id}/edit"):
        html = admin.get(path).text
        assert value not in html
        assert "&lt;" in html or "&#34;" in html or "&quot;" in html
