"""The customer never loses a code or a choice (issue 12), in Chromium on the demo site.

A code typed but not applied is applied when the customer books (or the booking
stops with the message beside the field); the summary says what later visits of a
series cost; "Change the booking" and Back keep every choice; a page address with
``?coupon=CODE`` applies the code by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from advik_coupons.state import get_state
from advik_coupons.store.models import Redemption
from tests.browser.support import (
    SPRING10,
    SUBTOTAL,
    demo_app,
    need_chromium,
    open_page,
    serving,
)
from tests.browser.test_browser_checkout import field, payment_step, widget

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    app = demo_app(tmp_path_factory.mktemp("demo-keeps"))
    with serving(app) as base:
        yield app, base


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request)


def redemptions_of(app: Flask, email: str) -> int:
    with app.app_context():
        session = get_state().session
        count = session.execute(select(func.count()).select_from(Redemption)
                                .where(Redemption.email == email)).scalar_one()
        session.rollback()
        return int(count)


def type_code(page: Page, code: str) -> None:
    page.get_by_role("button", name="Have a coupon code?").click()
    page.get_by_label("Coupon code").fill(code)


def test_a_typed_code_not_applied_is_applied_when_booking(site: tuple[Flask, str],
                                                         page: Page) -> None:
    app, base = site
    email = payment_step(page, base)
    type_code(page, "spring10")
    page.get_by_role("button", name="Book").click()  # never pressed Apply
    expect(page.get_by_role("heading", name="Thank you, you're booked!")).to_be_visible()
    expect(page.locator("[data-discount]")).to_have_text(SPRING10["discount"])
    assert redemptions_of(app, email) == 1


def test_a_typed_code_that_fails_stops_the_booking_beside_the_field(
        site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    email = payment_step(page, base)
    type_code(page, "NOSUCHCODE")
    page.get_by_role("button", name="Book").click()
    error = widget(page).locator(".advik-coupon__error")
    expect(error).to_contain_text("This coupon isn't valid.")
    expect(error).to_contain_text("Clear the code to book without a coupon.")
    expect(page.get_by_label("Coupon code")).to_be_focused()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    # Cleared: the booking goes through at the full price.
    page.get_by_label("Coupon code").fill("")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="Thank you, you're booked!")).to_be_visible()
    assert redemptions_of(app, email) == 0


def test_the_summary_says_what_later_visits_cost(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    page.goto(base + "/demo/")
    page.get_by_label("Standard cleaning (2 h)").check()
    page.get_by_label("Window washing").check()  # $105.00: SPRING10 asks $100
    page.get_by_label("Every week").check()
    page.get_by_label("Your e-mail").fill("weekly@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")
    full_price = field(page, "total").inner_text()
    type_code(page, "spring10")
    page.get_by_role("button", name="Apply").click()
    later = widget(page).locator("[data-advik-row='later']")
    expect(later).to_be_visible()
    expect(later.locator("dt")).to_have_text("Each later visit")
    expect(field(page, "later")).to_have_text(full_price + " (full price)")
    expect(field(page, "total")).not_to_have_text(full_price)
    page.get_by_role("button", name="Remove coupon").click()
    expect(later).to_be_hidden()
    page.get_by_label("Coupon code").fill("everyvisit")  # every visit discounted
    page.get_by_role("button", name="Apply").click()
    expect(later).to_be_visible()
    expect(field(page, "later")).to_have_text(field(page, "total").inner_text() + " (discounted)")


def test_change_the_booking_and_back_keep_every_choice(site: tuple[Flask, str],
                                                       page: Page) -> None:
    _app, base = site
    email = payment_step(page, base)
    page.get_by_role("link", name="Change the booking").click()
    expect(page.get_by_role("heading", name="Book a home cleaning")).to_be_visible()
    expect(page.get_by_label("Deep cleaning (4 h)")).to_be_checked()
    expect(page.get_by_label("Window washing")).to_be_checked()
    expect(page.get_by_label("Your e-mail")).to_have_value(email)
    expect(page.locator("#live-subtotal")).to_have_text(SUBTOTAL)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Deep cleaning (4 h)")).to_be_checked()
    expect(page.get_by_label("Your e-mail")).to_have_value(email)
    expect(page.locator("#live-subtotal")).to_have_text(SUBTOTAL)


def test_the_page_address_brings_a_code(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    page.goto(base + "/demo/payment?service=deep&service=windows&date=2099-01-05&time=09:00"
              "&staff=&location=north&frequency=once&email=link%40example.com"
              "&coupon=spring10")
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")
    expect(widget(page).locator(".advik-coupon__applied")).to_contain_text("SPRING10")
    expect(field(page, "total")).to_have_text(SPRING10["total"])
