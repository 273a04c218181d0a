"""The pages keep working under their Content-Security-Policy (no ``unsafe-inline``):
the charts draw, the funnel bars get their widths, the widget applies a code, and
Chromium reports no violation of the policy on any of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from advik_coupons import Booking, redeem
from advik_coupons.services.accounts import create_admin
from tests.browser.support import demo_app, need_chromium, save_screenshot, serving
from tests.conftest import make_coupon

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "owner@example.com", "a long admin password"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, int]]:
    need_chromium()
    app = demo_app(tmp_path_factory.mktemp("csp"), ADVIK_FUNNEL_FLUSH_SECONDS=0)
    coupon = make_coupon(app, code="CSPTEST", starts_at=datetime.now(UTC) - timedelta(days=30))
    with app.app_context():
        create_admin(EMAIL, PASSWORD)
        for n in range(3):
            redeem("CSPTEST", Booking(subtotal=Decimal("80.00"), booking_ref=f"CSP-{n}",
                                      email=f"csp{n}@example.com"),
                   now=datetime.now(UTC) - timedelta(days=n, minutes=1))
    with serving(app) as base:
        yield app, base, coupon


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, "csp-" + request.node.name)
    context.close()


def violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text
            else None)
    return found


def test_the_admin_charts_and_funnel_work_under_the_policy(
        site: tuple[Flask, str, int], page: Page) -> None:
    _app, base, coupon = site
    seen = violations(page)
    page.goto(base + "/admin/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".topbar .who")).to_be_visible()
    page.goto(base + "/admin/")
    page.wait_for_load_state("load")
    page.goto(f"{base}/admin/coupons/{coupon}")
    drawn = "() => !!Chart.getChart(document.getElementById('redemption-chart'))"
    page.wait_for_function(drawn)
    bar = page.locator(".funnel-redeemed .funnel-bar")
    wanted = float(bar.get_attribute("data-w") or 0)
    assert wanted > 0
    width = page.evaluate("""() => {
        const bar = document.querySelector('.funnel-redeemed .funnel-bar');
        return parseFloat(getComputedStyle(bar, '::after').width) / bar.clientWidth * 100;
    }""")
    assert abs(width - wanted) < 1.5
    page.goto(f"{base}/admin/coupons/{coupon}/edit")
    page.get_by_role("button", name="Generate code").click()
    page.wait_for_load_state("load")
    assert seen == []


def test_the_widget_applies_a_code_under_the_policy(site: tuple[Flask, str, int],
                                                    page: Page) -> None:
    _app, base, _coupon = site
    seen = violations(page)
    page.goto(base + "/demo/")
    page.get_by_label("Deep cleaning (4 h)").check()
    page.get_by_label("Your e-mail").fill("csp-widget@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    widget = page.locator("[data-advik-coupon]")
    expect(widget.first).to_have_attribute("data-advik-ready", "true")  # its script ran
    page.get_by_role("button", name="Have a coupon code?").click()
    page.get_by_label("Coupon code").fill("spring10")
    page.get_by_role("button", name="Apply").click()
    expect(widget.locator(".advik-coupon__applied")).to_contain_text("Coupon applied: SPRING10")
    assert seen == []
