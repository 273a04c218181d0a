"""The shortcode on a WordPress page, in headless Chromium: apply a code, see the summary
change, book through the test booking form (its PHP handler redeems at the server's
price), and the redemption's webhook fires ``advik_coupon_redeemed`` once in WordPress."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.wordpress.conftest import Bridge
from tests.wordpress.site import wait_for

pytestmark = [pytest.mark.mysql, pytest.mark.browser]

RED = "rgb(179, 38, 30)"


def cell(page: Page, name: str) -> Any:
    return page.locator(f"[data-advik-coupon] [data-advik-field='{name}']")


def open_booking_page(page: Page, bridge: Bridge) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(bridge.wp.url + "/book/")
    expect(page.locator("[data-advik-coupon]")).to_have_attribute("data-advik-ready", "true")
    expect(cell(page, "subtotal")).to_have_text("$120.00")
    expect(cell(page, "tax")).to_have_text("$9.90")  # the service's 8.25 %, via widget.json
    expect(cell(page, "total")).to_have_text("$129.90")
    assert errors == []


def apply(page: Page, code: str) -> None:
    page.get_by_role("button", name="Have a coupon code?").click()
    page.get_by_label("Coupon code").fill(code)
    page.get_by_role("button", name="Apply").click()


def test_apply_a_code_and_book_at_the_servers_price(bridge: Bridge, page: Page) -> None:
    open_booking_page(page, bridge)
    apply(page, "spring10")
    expect(page.locator(".advik-coupon__applied")).to_contain_text("Coupon applied: SPRING10")
    expect(cell(page, "discount")).to_have_text("\u2212$12.00")
    expect(cell(page, "tax")).to_have_text("$8.91")
    expect(cell(page, "total")).to_have_text("$116.91")
    # Whatever price the page shows (here changed in the browser), the handler sends its own.
    page.evaluate("document.querySelector('[data-advik-coupon]').dataset.subtotal = '500.00'")
    expect(cell(page, "discount")).to_have_text("\u2212$50.00")  # the code was checked again
    page.get_by_role("button", name="Book now").click()
    result = page.locator("#advik-test-result")
    expect(result).to_contain_text("with SPRING10: total $116.91 (you saved $12.00)")
    booking = bridge.wp.bookings()[-1]
    ref = booking["booking_ref"]
    assert booking["code"] == "SPRING10" and ref in result.inner_text()
    redemption = booking["redemption"]
    assert (redemption["subtotal"], redemption["discount"], redemption["source"]) == (
        "120.00", "12.00", "api")

    fired = wait_for("advik_coupon_redeemed in WordPress", lambda: [
        e for e in bridge.wp.events() if e["booking_ref"] == ref])
    assert [(e["action"], e["code"], e["total"]) for e in fired] == [
        ("advik_coupon_redeemed", "SPRING10", "116.91")]
    time.sleep(1.5)
    assert len([e for e in bridge.wp.events() if e["booking_ref"] == ref]) == 1


def test_a_code_that_does_not_apply_shows_why(bridge: Bridge, page: Page) -> None:
    open_booking_page(page, bridge)
    apply(page, "GONE2025")
    message = page.locator(".advik-coupon__error")
    expect(message).to_have_text("This coupon expired on 31 Jan 2025.")
    expect(message).to_have_css("color", RED)
    expect(cell(page, "total")).to_have_text("$129.90")


def test_without_javascript_the_plain_field_still_books(bridge: Bridge,
                                                         browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(bridge.wp.url + "/book/")
        page.get_by_label("Coupon code").fill("flat5")
        page.get_by_role("button", name="Book now").click()
        expect(page.locator("#advik-test-result")).to_contain_text(
            "with FLAT5: total $124.49 (you saved $5.00)")
        page.go_back()
        page.get_by_label("Coupon code").fill("NOSUCHCODE")
        page.get_by_role("button", name="Book now").click()
        expect(page.locator("#advik-test-result")).to_have_text(
            "Coupon not applied (not_found): This coupon isn't valid.")
    finally:
        context.close()
