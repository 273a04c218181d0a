"""The admin's new flows in headless Debian Chromium (issue 12): the live one-line summary,
cancel from the bookings list, bulk deactivate, duplicate and restore, an import with a
bad row, and what a viewer is shown.

A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from advik_coupons import Booking, create_app, redeem
from advik_coupons.domain.coupon import defaults
from advik_coupons.services.accounts import create_admin
from advik_coupons.services.coupons import create_coupon
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.browser.support import need_chromium, save_screenshot, serving

pytestmark = pytest.mark.browser
PASSWORD = "a long admin password"


def coupon(code: str, **changes: object) -> int:
    values = {**defaults(), "name": f"Campaign {code}", "code": code,
              "discount_type": "percent", "discount_value": Decimal("10"), **changes}
    return create_coupon(values).id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    folder = tmp_path_factory.mktemp("admin-tools")
    app = create_app({"SECRET_KEY": "admin-tools", "ADVIK_HOOKS_DIR": "",
                      "ADVIK_DATABASE_URL": f"sqlite:///{folder / 'tools.sqlite'}",
                      "INSTANCE_PATH": str(folder / "instance"),
                      "ADVIK_FUNNEL_FLUSH_SECONDS": 0})
    with app.app_context():
        upgrade(get_state().engine)
        create_admin("owner@example.com", PASSWORD)
        create_admin("viewer@example.com", PASSWORD, "viewer")
    with serving(app) as base:
        yield app, base


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    failed_before = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failed_before:
        save_screenshot(tab, f"admin-tools-{request.node.name}")
    context.close()


def log_in(page: Page, base: str, email: str = "owner@example.com") -> None:
    page.goto(base + "/admin/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(base + "/admin/coupons")


def test_the_summary_follows_the_form(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    log_in(page, base)
    page.goto(base + "/admin/coupons/new")
    line = page.locator("#coupon-summary")
    page.get_by_label("Discount value").fill("20")
    expect(line).to_have_text("20 % off")
    page.get_by_label("Sat").check()
    page.get_by_label("Sun").check()
    page.get_by_label("Hours").fill("09:00-12:00")
    page.get_by_label("Once per customer (by e-mail)").check()
    expect(line).to_have_text("20 % off, Sat and Sun mornings, once per customer")


def test_cancel_bulk_duplicate_restore(site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    with app.app_context():
        first = coupon("TOOLA")
        coupon("TOOLB")
        redeem("TOOLA", Booking(subtotal=Decimal("80.00"), booking_ref="tool-1"))
    log_in(page, base)
    page.goto(base + f"/admin/coupons/{first}/bookings")
    page.get_by_role("link", name="Cancel…").click()
    expect(page.locator("h1")).to_contain_text("Cancel booking tool-1")
    page.get_by_role("button", name="Cancel this booking's coupon").click()
    expect(page.locator(".flash-success")).to_contain_text("Booking tool-1 was cancelled")

    page.goto(base + "/admin/coupons?sort=code")
    page.get_by_label("Select TOOLA").check()
    page.get_by_label("Select TOOLB").check()
    page.get_by_label("With the ticked coupons").select_option("deactivate")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("2 coupons deactivated.")

    page.goto(base + f"/admin/coupons/{first}")
    page.get_by_role("button", name="Duplicate").click()
    expect(page.locator(".flash-success")).to_contain_text("Copy of TOOLA created")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Campaign TOOLA (copy)")

    page.goto(base + f"/admin/coupons/{first}")
    page.get_by_role("button", name="Delete").click()  # it has a booking: archived
    page.goto(base + f"/admin/coupons/{first}")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator(".flash-success")).to_contain_text("TOOLA was restored")
    expect(page.locator("#history")).to_contain_text("Restored")


def test_an_import_with_a_bad_row(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    log_in(page, base)
    page.goto(base + "/admin/coupons")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "coupons.csv", "mimeType": "text/csv",
        "buffer": b"code,name,discount_value\nNEWONE,Fine,10\nNEWTWO,Too much,abc\n"}])
    page.get_by_role("button", name="Check and import").click()
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("Nothing was imported.")
    expect(problems).to_contain_text("Line 3, discount_value")
    page.goto(base + "/admin/coupons?q=NEWONE")
    expect(page.locator("p.count")).to_contain_text("No coupons match.")


def test_a_viewer_reads_only(site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    with app.app_context():
        coupon_id = coupon("LOOKONLY")
    log_in(page, base, "viewer@example.com")
    expect(page.get_by_role("link", name="+ Create coupon")).to_have_count(0)
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    page.goto(base + f"/admin/coupons/{coupon_id}")
    expect(page.get_by_role("button", name="Duplicate")).to_have_count(0)
    expect(page.locator("#coupon-summary")).to_have_text("10 % off")
