"""The widget on a page that Jinja never rendered, served from another origin.

A site builder writes the documented markup by hand (or a WordPress shortcode
does): ``<div data-advik-coupon data-subtotal="…">`` and the service's script.
The script builds the widget, reads the currency and tax rate from the
service's ``widget.json`` (CORS), applies codes cross-origin, and the host's
form posts the applied code as ``coupon_code``. ``AdvikCoupon.mount()`` does
the same from a script. No JavaScript error on the page, ever.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, request
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import (
    SPRING10,
    SUBTOTAL,
    TAX_BEFORE,
    TOTAL_BEFORE,
    demo_app,
    need_chromium,
    save_screenshot,
    serving,
)

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plain host page</title>
<link rel="stylesheet" href="SERVICE/coupons/static/advik-coupon.css"></head>
<body>
<form id="checkout" method="post" action="/book">
  <input name="email" value="ann@example.com"><button type="submit">Book now</button>
</form>
<div id="plain" data-advik-coupon data-subtotal="185.00" data-form="checkout">
  <label>Coupon code <input name="coupon_code" form="checkout"></label>
</div>
<div id="guessed" data-advik-coupon data-apply-url="SERVICE/coupons/apply" data-subtotal="120">
  <input class="advik-coupon__input"><button class="advik-coupon__apply">Apply</button>
</div>
<div id="scripted"></div>
<script src="SERVICE/coupons/static/advik-coupon.js"></script>
<div id="unreachable" data-advik-coupon data-subtotal="50.00" data-form="checkout"
     data-apply-url="http://127.0.0.1:9/coupons/apply">
  <label>Other code <input name="other_code" form="checkout"></label>
</div>
<script>AdvikCoupon.mount("#scripted", {subtotal: "40.00"})
  .then(function (widget) { window.mounted = widget !== null; });</script>
</body></html>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[Any]]]:
    """(host page URL, service URL, what the host's form received)."""
    need_chromium()
    posted: list[Any] = []
    host = Flask("plain_host")
    host.config["SERVICE"] = ""

    @host.get("/")
    def page() -> str:  # a plain string: no template engine involved
        return HOST_PAGE.replace("SERVICE", host.config["SERVICE"])

    @host.post("/book")
    def book() -> Any:
        posted.append(request.form.to_dict(flat=False))
        return jsonify(ok=True)

    with serving(host) as host_base:
        service = demo_app(tmp_path_factory.mktemp("widget-anywhere"),
                           ADVIK_CORS_ORIGINS=host_base)
        with serving(service) as service_base:
            host.config["SERVICE"] = service_base
            yield host_base + "/", service_base, posted


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # Script errors and the widget's own console.error; a 4xx answer's network line is not one.
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error"
              and not m.text.startswith("Failed to load resource") else None)
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, request.node.name)
    context.close()
    assert errors == [], errors


def cell(page: Page, root: str, name: str) -> Any:
    return page.locator(f"{root} [data-advik-field='{name}']")


def apply_in(page: Page, root: str, code: str) -> None:
    widget = page.locator(root)
    expect(widget).to_have_attribute("data-advik-ready", "true")
    widget.get_by_role("button", name="Have a coupon code?").click()
    widget.get_by_label("Coupon code").fill(code)
    widget.get_by_role("button", name="Apply").click()


def test_bare_markup_becomes_the_widget_with_the_sites_summary(
        sites: tuple[str, str, list[Any]], page: Page) -> None:
    url, _service, _posted = sites
    page.goto(url)
    expect(cell(page, "#plain", "subtotal")).to_have_text(SUBTOTAL)
    expect(cell(page, "#plain", "tax")).to_have_text(TAX_BEFORE)  # the site's 8.25 %
    expect(cell(page, "#plain", "total")).to_have_text(TOTAL_BEFORE)
    expect(page.locator("#plain input[name='coupon_code']")).to_have_count(1)  # fallback gone
    expect(page.locator("#plain [data-advik-field='applied-code']")).to_have_attribute(
        "form", "checkout")


def test_apply_then_book_posts_the_code_with_the_hosts_form(
        sites: tuple[str, str, list[Any]], page: Page) -> None:
    url, _service, posted = sites
    page.goto(url)
    apply_in(page, "#plain", "spring10")
    expect(page.locator("#plain .advik-coupon__applied")).to_contain_text(
        "Coupon applied: SPRING10")
    for name, shown in SPRING10.items():
        expect(cell(page, "#plain", name)).to_have_text(shown)
    posted.clear()
    page.get_by_role("button", name="Book now").click()
    page.wait_for_url("**/book")
    [form] = posted
    assert form["coupon_code"] == ["SPRING10"] and form["email"] == ["ann@example.com"]


def test_markup_guessed_from_the_readme_is_rebuilt_and_works(
        sites: tuple[str, str, list[Any]], page: Page) -> None:
    url, _service, _posted = sites
    page.goto(url)
    expect(cell(page, "#guessed", "total")).to_have_text("$129.90")
    apply_in(page, "#guessed", "NOSUCHCODE")
    expect(page.locator("#guessed .advik-coupon__error")).to_have_text(
        "This coupon isn't valid.")


def test_mount_from_a_script(sites: tuple[str, str, list[Any]], page: Page) -> None:
    url, _service, _posted = sites
    page.goto(url)
    page.wait_for_function("window.mounted === true")
    expect(cell(page, "#scripted", "subtotal")).to_have_text("$40.00")
    apply_in(page, "#scripted", "FLAT5")
    expect(cell(page, "#scripted", "discount")).to_have_text("\u2212$5.00")
    expect(cell(page, "#scripted", "tax")).to_have_text("$2.89")  # 8.25 % of 35.00
    expect(cell(page, "#scripted", "total")).to_have_text("$37.89")


def test_without_the_service_the_plain_field_stays_and_posts(
        sites: tuple[str, str, list[Any]], page: Page) -> None:
    url, _service, posted = sites
    page.goto(url)
    expect(page.locator("#unreachable")).to_have_attribute("data-advik-error", re.compile(".+"))
    page.get_by_label("Other code").fill("FLAT5")
    posted.clear()
    page.get_by_role("button", name="Book now").click()
    page.wait_for_url("**/book")
    assert posted[0]["other_code"] == ["FLAT5"]
