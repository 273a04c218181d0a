"""A campaign in Chromium (docs/contracts.md §12): a link applies its code by itself at the
payment step, the booking is redeemed, the coupon's funnel shows the opened link, and the
overview sorts and exports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from advik_coupons.demo.data import ensure_admin
from tests.browser.support import SPRING10, demo_app, need_chromium, save_screenshot, serving
from tests.browser.test_browser_checkout import field, widget

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, str]]:
    need_chromium()
    folder = tmp_path_factory.mktemp("campaign")
    app = demo_app(folder, ADVIK_FUNNEL_FLUSH_SECONDS=0)
    with app.app_context():
        email, password = ensure_admin(str(folder / "instance"))
    with serving(app) as base:
        yield app, base, password


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, request.node.name)
    context.close()


def log_in(page: Page, base: str, password: str, then: str) -> None:
    page.goto(base + "/admin/login?next=" + then)
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_link_applies_its_code_and_counts(site: tuple[Flask, str, str], page: Page) -> None:
    _app, base, password = site
    page.goto(base + "/coupons/go/spring10?next=/demo/")
    expect(page).to_have_url(base + "/demo/")
    page.get_by_label("Deep cleaning (4 h)").check()
    page.get_by_label("Window washing").check()
    page.get_by_label("Your e-mail").fill("linked@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    applied = widget(page).locator(".advik-coupon__applied-text")
    expect(applied).to_contain_text("SPRING10 from your link was applied")
    expect(field(page, "total")).to_have_text(SPRING10["total"])
    page.get_by_role("button", name="Book").click()
    expect(page.locator("[data-discount]")).to_have_text(SPRING10["discount"])
    page.goto(base + "/demo/payment?service=standard&date=2099-01-01&email=again@example.com")
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")
    expect(applied).to_be_hidden()  # the link's code was used: no longer remembered
    log_in(page, base, password, "/admin/coupons")
    page.get_by_role("link", name="SPRING10").first.click()
    funnel = page.locator(".funnel-link_opened")
    expect(funnel).to_contain_text("Links opened")
    expect(funnel.locator(".funnel-count")).to_have_text("1")
    expect(page.locator("#share-link")).to_have_value(base + "/coupons/go/SPRING10")


def test_a_links_rule_failure_reads_like_a_typed_code(site: tuple[Flask, str, str],
                                                      page: Page) -> None:
    _app, base, _password = site
    page.goto(base + "/coupons/go/save25?next=/demo/")
    page.get_by_label("Window washing").check()
    page.get_by_label("Your e-mail").fill("small@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    expect(widget(page).locator(".advik-coupon__error")).to_contain_text("Spend at least")


def test_the_overview_sorts_and_exports(site: tuple[Flask, str, str], page: Page) -> None:
    _app, base, password = site
    log_in(page, base, password, "/admin/")
    expect(page.get_by_role("heading", name="Which coupons pay")).to_be_visible()
    page.get_by_role("link", name="Coupon", exact=True).click()
    expect(page.locator("#overview-table th[aria-sort]")).to_contain_text("Coupon")
    codes = page.locator("#overview-table tbody a.code").all_inner_texts()
    assert codes == sorted(codes)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("coupon_id,code,bookings,")
