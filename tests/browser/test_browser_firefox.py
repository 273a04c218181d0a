"""The payment step in a second engine: Debian's Firefox ESR, headless, through Marionette.

Chromium covers the widget in depth (tests/test_browser_checkout.py); this
runs the customer's path once more in Gecko, with Mozilla's own
``marionette_driver`` and ``/usr/bin/firefox-esr`` (no downloaded browser):
book, apply a code, see the server's message for a bad one, remove, apply
with the keyboard's Enter, book, and find the redemption at the server's
price. Without Firefox it skips on a developer's machine and fails under
``CI=true``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from marionette_driver.by import By
from marionette_driver.keys import Keys
from marionette_driver.marionette import Marionette
from marionette_driver.wait import Wait

from tests.browser.support import (
    ARTIFACTS,
    GREEN,
    IN_CI,
    RED,
    SPRING10,
    TOTAL_BEFORE,
    demo_app,
    serving,
    used,
)

pytestmark = pytest.mark.browser

FIREFOX = "/usr/bin/firefox-esr"
QUIET_PREFS = {  # a closed network: no update, telemetry or captive-portal checks
    "app.update.auto": False, "app.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False, "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False, "extensions.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def firefox() -> Iterator[Marionette]:
    if not Path(FIREFOX).exists():
        if IN_CI:
            pytest.fail(f"{FIREFOX} is missing (CI must install Debian's firefox-esr)")
        pytest.skip(f"{FIREFOX} is missing")
    ARTIFACTS.mkdir(exist_ok=True)
    client = Marionette(bin=FIREFOX, headless=True, host="127.0.0.1", port=free_port(),
                        startup_timeout=90, prefs=QUIET_PREFS,
                        gecko_log=str(ARTIFACTS / "gecko.log"))
    client.start_session()
    client.set_window_rect(width=1280, height=900)
    try:
        yield client
    finally:
        client.quit(in_app=False)
        client.cleanup()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = demo_app(tmp_path_factory.mktemp("firefox-site"))
    with serving(app) as base:
        yield app, base


@pytest.fixture
def browser(firefox: Marionette, request: pytest.FixtureRequest) -> Iterator[Marionette]:
    failed_before = request.session.testsfailed
    yield firefox
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"firefox-{request.node.name}.png").write_bytes(
            firefox.screenshot(format="binary"))


def wait_for(client: Marionette, what: Callable[[Marionette], Any], message: str) -> Any:
    return Wait(client, timeout=10).until(what, message=message)


def css(client: Marionette, selector: str) -> Any:
    return client.find_element(By.CSS_SELECTOR, selector)


def text_of(client: Marionette, selector: str) -> str:
    return str(css(client, selector).text)


def shows(client: Marionette, selector: str, expected: str) -> None:
    wait_for(client, lambda c: text_of(c, selector) == expected,
             f"{selector} never showed {expected!r} (last: {text_of(client, selector)!r})")


def payment_step(client: Marionette, base: str) -> str:
    """The demo's booking page, two services and an e-mail; returns the e-mail."""
    email = f"gecko-{os.getpid()}-{free_port()}@example.com"
    client.navigate(base + "/demo/")
    for service in ("deep", "windows"):
        css(client, f"input[name='service'][value='{service}']").click()
    css(client, "#field-email").send_keys(email)
    css(client, "button.demo-button[type='submit']").click()
    wait_for(client, lambda c: c.find_elements(By.CSS_SELECTOR, "[data-advik-ready='true']"),
             "the widget's script never marked it ready")
    return email


def apply(client: Marionette, code: str, *, with_enter: bool = False) -> None:
    entry = css(client, ".advik-coupon__input")
    if not entry.is_displayed():
        css(client, ".advik-coupon__toggle").click()
    entry.clear()
    entry.send_keys(code)
    if with_enter:
        entry.send_keys(Keys.ENTER)
    else:
        css(client, ".advik-coupon__apply").click()


def test_apply_reject_remove_and_book_in_firefox(site: tuple[Flask, str],
                                                  browser: Marionette) -> None:
    app, base = site
    before = used(app, "SPRING10")
    payment_step(browser, base)
    shows(browser, "[data-advik-field='total']", TOTAL_BEFORE)

    apply(browser, "NOSUCHCODE")
    shows(browser, ".advik-coupon__error", "This coupon isn't valid.")
    assert css(browser, ".advik-coupon__error").value_of_css_property("color") == RED
    assert css(browser, ".advik-coupon__input").get_attribute("aria-invalid") == "true"

    apply(browser, "spring10")
    wait_for(browser, lambda c: css(c, ".advik-coupon__applied").is_displayed(),
             "the green line never appeared")
    assert "SPRING10" in text_of(browser, ".advik-coupon__applied")
    assert css(browser, ".advik-coupon__applied").value_of_css_property("color") == GREEN
    for name, shown in SPRING10.items():
        shows(browser, f"[data-advik-field='{name}']", shown)

    css(browser, ".advik-coupon__remove").click()
    shows(browser, "[data-advik-field='total']", TOTAL_BEFORE)
    assert not css(browser, ".advik-coupon__applied").is_displayed()

    url = browser.get_url()
    apply(browser, "spring10", with_enter=True)  # Enter applies and does not book
    shows(browser, "[data-advik-field='total']", SPRING10["total"])
    assert browser.get_url() == url

    css(browser, "button.demo-button[type='submit']").click()  # Book
    wait_for(browser, lambda c: c.find_elements(By.CSS_SELECTOR, "[data-total]"),
             "the confirmation page never came")
    shows(browser, "[data-total]", SPRING10["total"])
    shows(browser, "[data-discount]", SPRING10["discount"])
    assert used(app, "SPRING10") == before + 1
