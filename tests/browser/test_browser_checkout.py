"""The payment step in a real browser: the demo site in headless Debian Chromium.

The demo app runs on a free 127.0.0.1 port in a thread (werkzeug) against a
fresh SQLite file; Playwright drives ``/usr/bin/chromium`` (never a
downloaded browser). A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from advik_coupons.state import get_state
from advik_coupons.store.models import Redemption
from tests.browser.support import (
    GREEN,
    RED,
    SPRING10,
    SUBTOTAL,
    TAX_BEFORE,
    TOTAL_BEFORE,
    demo_app,
    need_chromium,
    open_page,
    serving,
    used,
)

pytestmark = pytest.mark.browser

_emails = iter(range(1, 1_000_000))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    app = demo_app(tmp_path_factory.mktemp("demo-site"))
    with serving(app) as base:
        yield app, base


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request)


SERVICES = ("Deep cleaning (4 h)", "Window washing")


def payment_step(page: Page, base: str, services: tuple[str, ...] = SERVICES) -> str:
    """Fill the booking page with the mouse and keyboard; returns the e-mail used."""
    email = f"customer{next(_emails)}-{os.getpid()}@example.com"
    page.goto(base + "/demo/")
    for name in services:
        page.get_by_label(name).check()
    if services == SERVICES:
        expect(page.locator("#live-subtotal")).to_have_text(SUBTOTAL)  # live, before posting
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")  # its script has run
    return email


def widget(page: Page) -> Any:
    return page.locator("[data-advik-coupon]")


def field(page: Page, name: str) -> Any:
    return widget(page).locator(f"[data-advik-field='{name}']")


def apply_code(page: Page, code: str) -> None:
    expect(widget(page).first).to_have_attribute("data-advik-ready", "true")
    page.get_by_role("button", name="Have a coupon code?").click()
    page.get_by_label("Coupon code").fill(code)
    page.get_by_role("button", name="Apply").click()


def test_valid_code_shows_the_green_line_and_new_totals(
        site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    payment_step(page, base)
    expect(field(page, "total")).to_have_text(TOTAL_BEFORE)
    expect(field(page, "tax")).to_have_text(TAX_BEFORE)
    apply_code(page, "spring10")
    applied = widget(page).locator(".advik-coupon__applied")
    expect(applied).to_be_visible()
    expect(applied).to_contain_text("Coupon applied: SPRING10")
    expect(applied).to_contain_text("$18.50")
    expect(applied).to_have_css("color", GREEN)
    for name, shown in SPRING10.items():
        expect(field(page, name)).to_have_text(shown)
    expect(field(page, "subtotal")).to_have_text(SUBTOTAL)
    expect(widget(page).locator("[data-advik-field='applied-code']")).to_have_value("SPRING10")


def test_invalid_code_shows_the_servers_message_in_red(
        site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    payment_step(page, base)
    apply_code(page, "NOSUCHCODE")
    error = widget(page).locator(".advik-coupon__error")
    expect(error).to_have_text("This coupon isn't valid.")
    expect(error).to_have_css("color", RED)
    expect(page.get_by_label("Coupon code")).to_have_attribute("aria-invalid", "true")
    expect(widget(page).locator(".advik-coupon__applied")).to_be_hidden()
    expect(field(page, "total")).to_have_text(TOTAL_BEFORE)
    page.get_by_label("Coupon code").fill("save25")  # a real code whose rule fails
    page.get_by_role("button", name="Apply").click()
    expect(error).to_have_text("Spend at least $200.00 to use this coupon.")


def test_remove_restores_the_price_summary(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    payment_step(page, base)
    apply_code(page, "SPRING10")
    expect(field(page, "total")).to_have_text(SPRING10["total"])
    page.get_by_role("button", name="Remove coupon").click()
    expect(widget(page).locator(".advik-coupon__applied")).to_be_hidden()
    expect(field(page, "total")).to_have_text(TOTAL_BEFORE)
    expect(field(page, "tax")).to_have_text(TAX_BEFORE)
    expect(widget(page).locator("[data-advik-row='discount']")).to_be_hidden()
    expect(widget(page).locator("[data-advik-field='applied-code']")).to_have_value("")
    expect(page.get_by_label("Coupon code")).to_be_focused()


def test_booking_redeems_at_the_servers_price(site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    before = used(app, "SPRING10")
    email = payment_step(page, base)
    apply_code(page, "spring10")
    expect(field(page, "total")).to_have_text(SPRING10["total"])
    # A tampered page may show what it likes; the server prices the booking itself.
    page.evaluate("document.querySelector('[data-advik-coupon]').setAttribute('data-items', "
                  "JSON.stringify([{service: 'deep', quantity: 1, unit_price: '5000.00'}]))")
    expect(field(page, "subtotal")).to_have_text("$5,000.00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="Thank you, you're booked!")).to_be_visible()
    expect(page.locator("[data-discount]")).to_have_text(SPRING10["discount"])
    expect(page.locator("[data-total]")).to_have_text(SPRING10["total"])
    assert used(app, "SPRING10") == before + 1
    with app.app_context():
        session = get_state().session
        row = session.execute(select(Redemption).where(Redemption.email == email)).scalar_one()
        found = (row.code, row.source, row.subtotal, row.discount)
        session.rollback()
    assert found == ("SPRING10", "checkout", Decimal("185.00"), Decimal("18.50"))


def test_keyboard_only_apply_and_remove(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    payment_step(page, base)
    url = page.url
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('advik-coupon__toggle')"):
            break
    else:
        pytest.fail("Tab never reached 'Have a coupon code?'")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Coupon code")).to_be_focused()
    page.keyboard.type("spring10")
    page.keyboard.press("Enter")  # applies; must not submit the booking form
    expect(widget(page).locator(".advik-coupon__applied")).to_contain_text("SPRING10")
    expect(field(page, "total")).to_have_text(SPRING10["total"])
    assert page.url == url
    expect(page.get_by_role("button", name="Remove coupon")).to_be_focused()
    page.keyboard.press("Enter")
    expect(field(page, "total")).to_have_text(TOTAL_BEFORE)
    expect(page.get_by_label("Coupon code")).to_be_focused()


def test_widget_on_another_origin_through_the_allow_list(
        site: tuple[Flask, str], page: Page) -> None:
    app, base = site
    with app.test_request_context():
        fragment = render_template_string(
            '{% with advik_booking={"subtotal": "185.00", "booking_type": "one_time"} %}'
            '{% include "advik/coupon_widget.html" %}{% endwith %}')
    fragment = fragment.replace('data-apply-url="/', f'data-apply-url="{base}/')
    host = Flask("host_shop")
    host.add_url_rule("/", "index", lambda: (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{base}/coupons/static/advik-coupon.css">'
        f'<script src="{base}/coupons/static/advik-coupon.js" defer></script></head>'
        f"<body><h1>Another shop</h1>{fragment}</body></html>"))
    with serving(host) as host_base:
        app.config["ADVIK_CORS_ORIGINS"] = host_base
        try:
            page.goto(host_base + "/")
            apply_code(page, "SPRING10")
            expect(field(page, "discount")).to_have_text(SPRING10["discount"])
            app.config["ADVIK_CORS_ORIGINS"] = "https://somewhere-else.example"
            page.get_by_role("button", name="Remove coupon").click()
            page.get_by_label("Coupon code").fill("SPRING10")
            page.get_by_role("button", name="Apply").click()
            expect(widget(page).locator(".advik-coupon__error")).to_contain_text(
                "could not reach the server")
        finally:
            app.config["ADVIK_CORS_ORIGINS"] = ""
