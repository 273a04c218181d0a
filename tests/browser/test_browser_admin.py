"""The admin pages in headless Debian Chromium: log in, create a coupon through the
form, find it, deactivate and activate it, open its tracking page, switch bar/line,
change the range, export the bookings CSV; and every page fits a 390 px screen.

A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from advik_coupons import Booking, create_app, redeem
from advik_coupons.services.accounts import create_admin
from advik_coupons.services.coupons import create_batch
from advik_coupons.state import get_state
from advik_coupons.store.models import CouponCode
from advik_coupons.store.schema import upgrade
from tests.browser.support import (
    need_chromium,
    save_screenshot,
    serving,
)

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "owner@example.com", "a long admin password"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    folder = tmp_path_factory.mktemp("admin-site")
    app = create_app({"SECRET_KEY": "admin-browser", "ADVIK_HOOKS_DIR": "",
                      "ADVIK_DATABASE_URL": f"sqlite:///{folder / 'admin.sqlite'}",
                      "INSTANCE_PATH": str(folder / "instance"),
                      "ADVIK_FUNNEL_FLUSH_SECONDS": 0})
    with app.app_context():
        upgrade(get_state().engine)
        create_admin(EMAIL, PASSWORD)
    with serving(app) as base:
        yield app, base


def open_page(browser: Browser, request: pytest.FixtureRequest, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        save_screenshot(page, f"admin-{request.node.name}-{width}")
    context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request, 1280)


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request, 390)


def log_in(page: Page, base: str) -> None:
    page.goto(base + "/admin/coupons")
    expect(page).to_have_url(base + "/admin/login?next=/admin/coupons?")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Coupons")).to_be_visible()


def row_of(page: Page, code: str) -> object:
    return page.locator(f'tr[data-code="{code}"]')


def test_create_find_toggle_track_and_export(site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    log_in(page, base)
    page.get_by_role("link", name="+ Create coupon").click()
    page.get_by_label("Name", exact=True).fill("Browser autumn sale")
    page.get_by_role("button", name="Generate code").click()
    expect(page.locator("#code")).to_have_value(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    page.locator("#code").fill("autumn-web")
    page.get_by_label("Discount value").fill("12.5")
    page.get_by_label("Minimum amount").fill("40")
    page.get_by_label("Max uses").fill("300")
    page.get_by_label("Starts").fill((datetime.now(UTC) - timedelta(days=120)).date().isoformat())
    page.get_by_role("button", name="Create coupon").click()
    expect(page.locator(".flash-success")).to_have_text("Coupon AUTUMN-WEB created.")
    coupon_id = int(page.url.rsplit("/", 1)[1].split("?")[0])

    page.get_by_role("link", name="Coupons", exact=True).first.click()
    page.get_by_label("Search").fill("autumn")
    page.get_by_role("button", name="Filter").click()
    row = page.locator('tr[data-code="AUTUMN-WEB"]')
    expect(row).to_contain_text("Browser autumn sale")
    expect(row).to_contain_text("0 / 300")
    expect(row.locator(".badge")).to_have_text("Active")
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash-success")).to_have_text("AUTUMN-WEB is now inactive.")
    expect(page.locator('tr[data-code="AUTUMN-WEB"] .badge')).to_have_text("Inactive")
    assert "q=autumn" in page.url  # back on the filtered list
    page.locator('tr[data-code="AUTUMN-WEB"]').get_by_role("button", name="Activate").click()
    expect(page.locator('tr[data-code="AUTUMN-WEB"] .badge')).to_have_text("Active")

    now = datetime.now(UTC)
    with app.app_context():
        for n in range(6):
            redeem("AUTUMN-WEB", Booking(subtotal=Decimal("80.00"), booking_ref=f"WEB-{n}",
                                         email=f"web{n}@example.com"),
                   now=now - timedelta(days=n * 9, minutes=1))
    page.locator('tr[data-code="AUTUMN-WEB"]').get_by_role("link", name="View").click()
    expect(page.get_by_role("heading", name="1 Overview")).to_be_visible()
    expect(page.locator("#stat-bookings")).to_have_text("4")  # the last 30 days
    chart_type = "() => Chart.getChart(document.getElementById('redemption-chart')).config.type"
    assert page.evaluate(chart_type) == "bar"
    page.get_by_role("button", name="Line").click()
    expect(page.locator("#redemption-chart")).to_have_attribute("data-chart-type", "line")
    assert page.evaluate(chart_type) == "line"
    assert "chart=line" in page.url
    page.get_by_role("link", name="90 days").click()
    expect(page.locator("#range-label")).to_contain_text("Last 90 days")
    expect(page.locator("#stat-bookings")).to_have_text("6")
    expect(page.locator("#stat-discounts")).to_have_text("$60.00")
    assert page.evaluate(chart_type) == "line"  # the style survives the range change
    points = page.evaluate("() => Chart.getChart(document.getElementById('redemption-chart'))"
                           ".data.datasets[0].data.reduce((a, b) => a + b, 0)")
    assert points == 6
    page.get_by_role("button", name="Bar").click()
    assert page.evaluate(chart_type) == "bar"

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert sorted(r["booking_ref"] for r in rows) == [f"WEB-{n}" for n in range(6)]
    assert {r["discount"] for r in rows} == {"10.00"}

    page.get_by_role("link", name="View bookings").click()
    expect(page.locator("table.bookings tbody tr")).to_have_count(6)
    assert f"/admin/coupons/{coupon_id}/bookings" in page.url


def test_every_page_fits_a_phone(site: tuple[Flask, str], phone: Page) -> None:
    app, base = site
    with app.app_context():
        from tests.conftest import make_coupon

    coupon_id = make_coupon(app, code="PHONE-FIT", name="A coupon with a rather long name "
                            "that must wrap on a small screen", description="Notes " * 30)
    with app.app_context():
        create_batch(coupon_id, 3, "FIT")
        redeem("PHONE-FIT", Booking(subtotal=Decimal("99.00"), booking_ref="FIT-1",
                                    email="someone.with.a.long.address@example.com"))
        batch_id = get_state().session.execute(
            select(CouponCode.batch_id).where(CouponCode.batch_id.is_not(None))).scalar()
    log_in(phone, base)
    for path in ("/admin/coupons", "/admin/coupons/new", f"/admin/coupons/{coupon_id}",
                 f"/admin/coupons/{coupon_id}?range=12m&chart=line",
                 f"/admin/coupons/{coupon_id}/edit", f"/admin/coupons/{coupon_id}/bookings",
                 f"/admin/coupons/{coupon_id}/apply", f"/admin/coupons/{coupon_id}/batches",
                 f"/admin/coupons/{coupon_id}/batches/{batch_id}", "/admin/logout"):
        phone.goto(base + path)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
    phone.goto(base + "/admin/logout")
    phone.get_by_role("button", name="Log out").last.click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
