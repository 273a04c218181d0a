"""Accessibility of every page (issue 12), in Chromium at 1280 and 390 px: axe-core finds
no violation on the demo site, the payment step, the confirmation and every admin page;
on a phone every control is at least 44 × 44 px; a failed submit moves focus to the
error summary; a focused control shows it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from advik_coupons import Booking, redeem
from advik_coupons.services.accounts import create_admin
from advik_coupons.services.coupons import create_batch
from advik_coupons.state import get_state
from advik_coupons.store.models import CouponCode
from tests.browser.axe_check import axe_source, small_targets, violations
from tests.browser.support import demo_app, need_chromium, save_screenshot, serving

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "a11y-owner@example.com", "a long admin password"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, dict[str, int]]]:
    need_chromium()
    axe_source()
    app = demo_app(tmp_path_factory.mktemp("demo-a11y"))
    with app.app_context():
        create_admin(EMAIL, PASSWORD)
        state = get_state()
        coupon_id = state.session.execute(select(CouponCode.coupon_id).where(
            CouponCode.code == "SPRING10")).scalar_one()
        create_batch(coupon_id, 3, "AXE")
        redeem("SPRING10", Booking(subtotal=Decimal("150.00"), booking_ref="AXE-1",
                                   email="someone@example.com"))
        batch_id = state.session.execute(select(CouponCode.batch_id).where(
            CouponCode.batch_id.is_not(None)).limit(1)).scalar_one()
        state.session.commit()
    with serving(app) as base:
        yield app, base, {"coupon": int(coupon_id), "batch": int(batch_id)}


def open_page(browser: Browser, request: pytest.FixtureRequest, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  bypass_csp=True)  # lets axe-core's script in
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        save_screenshot(page, f"a11y-{request.node.name}")
    context.close()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request, request.param)


def is_phone(page: Page) -> bool:
    return (page.viewport_size or {}).get("width", 1280) < 600


def check(page: Page, name: str, found: dict[str, list[str]]) -> None:
    page.wait_for_load_state("load")
    problems = violations(page)
    if is_phone(page):
        problems += [f"tap target: {t}" for t in small_targets(page)]
    if problems:
        found[name] = problems


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())


def test_the_checker_fails_on_a_violation(page: Page) -> None:
    """A page with known faults is reported: the page checks below can fail."""
    page.set_content('<html lang="en"><body><main><h1>Faults</h1>'
                     '<p style="color:#6b7280;background:#f4f6f9">low contrast</p>'
                     '<a href="#" aria-pressed="true">Bar</a><img src="x.png">'
                     '<button style="width:20px;height:20px">x</button></main></body></html>')
    ids = {line.split(" ", 1)[0] for line in violations(page)}
    assert {"color-contrast", "aria-allowed-attr", "image-alt"} <= ids, ids
    if is_phone(page):
        assert any("<button" in t for t in small_targets(page))


def test_the_customer_pages_have_no_violation(site: tuple[Flask, str, dict[str, int]],
                                              page: Page) -> None:
    _app, base, _ids = site
    found: dict[str, list[str]] = {}
    page.goto(base + "/demo/")
    check(page, "booking", found)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator(".demo-alert")).to_be_visible()
    check(page, "booking with errors", found)
    page.get_by_label("Deep cleaning (4 h)").check()
    page.get_by_label("Every week").check()
    page.get_by_label("Your e-mail").fill("axe@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    widget = page.locator("[data-advik-coupon]")
    expect(widget).to_have_attribute("data-advik-ready", "true")
    check(page, "payment", found)
    page.get_by_role("button", name="Have a coupon code?").click()
    page.get_by_label("Coupon code").fill("NOSUCHCODE")
    page.get_by_role("button", name="Apply").click()
    expect(widget.locator(".advik-coupon__error")).not_to_be_empty()
    check(page, "payment, code refused", found)
    page.get_by_label("Coupon code").fill("SPRING10")
    page.get_by_role("button", name="Apply").click()
    expect(widget.locator(".advik-coupon__applied")).to_be_visible()
    check(page, "payment, code applied", found)
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="Thank you, you're booked!")).to_be_visible()
    check(page, "confirmation", found)
    assert not found, report(found)


def log_in(page: Page, base: str) -> None:
    page.goto(base + "/admin/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Coupons", exact=True)).to_be_visible()


def test_the_admin_pages_have_no_violation(site: tuple[Flask, str, dict[str, int]],
                                           page: Page) -> None:
    _app, base, ids = site
    found: dict[str, list[str]] = {}
    page.goto(base + "/admin/login")
    check(page, "login", found)
    log_in(page, base)
    coupon, batch = ids["coupon"], ids["batch"]
    for path in ("/admin/", "/admin/coupons", "/admin/coupons/new", f"/admin/coupons/{coupon}",
                 f"/admin/coupons/{coupon}?range=12m&chart=line",
                 f"/admin/coupons/{coupon}/edit", f"/admin/coupons/{coupon}/bookings",
                 f"/admin/coupons/{coupon}/apply", f"/admin/coupons/{coupon}/batches",
                 f"/admin/coupons/{coupon}/batches/{batch}", "/admin/deliveries",
                 "/admin/logout"):
        page.goto(base + path)
        check(page, path, found)
    page.goto(base + "/admin/coupons/new")
    page.get_by_role("button", name="Create coupon").click()
    check(page, "new coupon, failed submit", found)
    assert not found, report(found)


def focused_is_error_summary(page: Page) -> bool:
    """Whether the page's script moves focus to the error summary (within 5 s: it runs
    once the page is parsed, which can be after the summary is already visible)."""
    try:
        page.wait_for_function("() => document.activeElement !== null && "
                               "document.activeElement.hasAttribute('data-error-summary')",
                               timeout=5000)
    except PlaywrightTimeoutError:
        return False
    return True


def test_a_failed_submit_moves_focus_to_the_error_summary(
        site: tuple[Flask, str, dict[str, int]], page: Page) -> None:
    _app, base, _ids = site
    page.goto(base + "/demo/")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator(".demo-alert")).to_be_visible()
    assert focused_is_error_summary(page)
    log_in(page, base)
    page.goto(base + "/admin/coupons/new")
    page.get_by_role("button", name="Create coupon").click()
    expect(page.locator(".error-box")).to_be_visible()
    assert focused_is_error_summary(page)


def test_a_focused_control_shows_a_ring_of_its_own(site: tuple[Flask, str, dict[str, int]],
                                                  page: Page) -> None:
    _app, base, _ids = site
    log_in(page, base)
    page.goto(base + "/admin/coupons")
    for _ in range(4):
        page.keyboard.press("Tab")
        ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                             " return [s.outlineStyle, s.outlineWidth]; }")
        assert ring[0] == "solid" and ring[1] == "3px", ring
