"""What a customer reads about lines and later visits (docs/contracts.md §7), in Chromium:
which services a coupon discounted, what the later visits of a recurring booking cost,
and a coupon for one cleaner or the morning hours, through the demo site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import demo_app, need_chromium, open_page, serving
from tests.browser.test_browser_checkout import apply_code, field, widget

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    app = demo_app(tmp_path_factory.mktemp("demo-lines"))
    with serving(app) as base:
        yield app, base


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from open_page(browser, request)


def book(page: Page, base: str, *, services: tuple[str, ...], how_often: str = "One time",
         cleaner: str | None = None, start: str | None = None) -> None:
    page.goto(base + "/demo/")
    for name in services:
        page.get_by_label(name).check()
    if cleaner:
        page.get_by_label("Cleaner").select_option(label=cleaner)
    if start:
        page.get_by_label("Start time").select_option(start)
    page.get_by_label(how_often).check()
    page.get_by_label("Your e-mail").fill("lines@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")


def apply_again(page: Page, code: str) -> None:
    """After Remove the code field is open already."""
    page.get_by_label("Coupon code").fill(code)
    page.get_by_role("button", name="Apply").click()


def applied(page: Page) -> object:
    return widget(page).locator(".advik-coupon__applied-text")


def test_a_service_coupon_says_which_lines_it_discounted(site: tuple[Flask, str],
                                                         page: Page) -> None:
    _app, base = site
    book(page, base, services=("Deep cleaning (4 h)", "Window washing"))
    apply_code(page, "deep20")
    expect(applied(page)).to_contain_text("you save $28.00")
    expect(applied(page)).to_contain_text("Discount on Deep cleaning (4 h).")
    expect(field(page, "discount")).to_have_text("−$28.00")


def test_later_visits_are_spelled_out(site: tuple[Flask, str], page: Page) -> None:
    _app, base = site
    book(page, base, services=("Standard cleaning (2 h)", "Window washing"),
         how_often="Every week")
    apply_code(page, "spring10")
    expect(applied(page)).to_contain_text("Only the first visit is discounted")
    page.get_by_role("button", name="Remove coupon").click()
    apply_again(page, "everyvisit")
    expect(applied(page)).to_contain_text("Every visit of the series is discounted.")


def test_staff_and_hours_coupons_follow_the_choices(site: tuple[Flask, str],
                                                    page: Page) -> None:
    _app, base = site
    book(page, base, services=("Deep cleaning (4 h)",), cleaner="Li", start="14:00")
    apply_code(page, "maria15")
    error = widget(page).locator(".advik-coupon__error")
    expect(error).to_contain_text("doesn't apply to the services in this booking")
    apply_again(page, "earlybird")
    expect(error).to_contain_text("08:00–11:00")
    book(page, base, services=("Deep cleaning (4 h)",), cleaner="Maria", start="08:30")
    apply_code(page, "maria15")
    expect(field(page, "discount")).to_have_text("−$21.00")
    page.get_by_role("button", name="Remove coupon").click()
    apply_again(page, "earlybird")
    expect(field(page, "discount")).to_have_text("−$14.00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="Thank you, you're booked!")).to_be_visible()
    expect(page.locator("[data-discount]")).to_have_text("−$14.00")
