"""Framing in headless Debian Chromium: another origin cannot show the plugin's pages in a
frame (clickjacking), the WordPress admin that signed in can show the admin pages.

Issue 18 row 8: no page sent ``frame-ancestors`` or ``X-Frame-Options``, so any
site could frame the admin's forms. Two servers on 127.0.0.1 (two ports, two
origins): the plugin's site, and a "framer" page that puts a URL in an iframe.
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Iterator

import jwt
import pytest
from flask import Flask, request
from playwright.sync_api import Browser, Frame, Page

from advik_coupons import create_app
from advik_coupons.services.accounts import create_admin
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.browser.support import need_chromium, save_screenshot, serving

pytestmark = pytest.mark.browser
SECRET = "wp-sso-secret-for-the-browser-tests-0123456789"
EMAIL, PASSWORD = "owner@example.com", "a long admin password"


def framer_app() -> Flask:
    """A page that frames ``?src=`` (the same page served on both origins)."""
    framer = Flask("framer")

    @framer.get("/frame")
    def frame() -> str:
        return f'<!doctype html><iframe id="f" src="{html.escape(request.args["src"])}">'

    return framer


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the plugin's site, another origin)."""
    need_chromium()
    folder = tmp_path_factory.mktemp("framing")
    site = create_app({"SECRET_KEY": "framing-browser", "ADVIK_HOOKS_DIR": "",
                       "ADVIK_DEMO": True, "ADVIK_WORDPRESS_SSO_SECRET": SECRET,
                       "ADVIK_DATABASE_URL": f"sqlite:///{folder / 'framing.sqlite'}",
                       "INSTANCE_PATH": str(folder / "instance")})
    site.add_url_rule("/frame", view_func=framer_app().view_functions["frame"])
    with site.app_context():
        upgrade(get_state().engine)
        create_admin(EMAIL, PASSWORD)
    with serving(site) as base, serving(framer_app()) as other:
        yield base, other


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    opened = context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, request.node.name)
    context.close()


def framed(page: Page, framer: str, src: str) -> tuple[Frame, list[str]]:
    """Open ``framer``'s page framing ``src``; the child frame and the console's messages."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{framer}/frame?src={src}")
    page.wait_for_load_state("load")
    time.sleep(0.3)  # let the frame's own navigation settle
    return page.frames[1], messages


def shows(frame: Frame, selector: str) -> bool:
    try:
        return frame.locator(selector).count() > 0
    except Exception:  # noqa: BLE001 - the error page of a refused frame
        return False


def refused(frame: Frame, messages: list[str], selector: str) -> bool:
    return (not shows(frame, selector) and frame.url.startswith("chrome-error://")
            and any("frame-ancestors" in m for m in messages))


def test_another_origin_cannot_frame_the_admin_log_in(page: Page,
                                                      origins: tuple[str, str]) -> None:
    site, other = origins
    frame, messages = framed(page, other, f"{site}/admin/login")
    assert refused(frame, messages, "input[name=password]"), (frame.url, messages)


def test_another_origin_cannot_frame_the_checkout_pages(page: Page,
                                                        origins: tuple[str, str]) -> None:
    site, other = origins
    frame, messages = framed(page, other, f"{site}/demo/")
    assert refused(frame, messages, "form"), (frame.url, messages)


def test_the_site_itself_may_frame_its_public_pages_but_never_the_admin(
        page: Page, origins: tuple[str, str]) -> None:
    site, _other = origins
    frame, _messages = framed(page, site, f"{site}/demo/")
    assert shows(frame, "form")  # the check above is not blind: a frame that may show, shows
    frame, messages = framed(page, site, f"{site}/admin/login")
    assert refused(frame, messages, "input[name=password]"), (frame.url, messages)


def test_the_wordpress_admin_that_signed_in_may_frame_the_admin(
        page: Page, origins: tuple[str, str]) -> None:
    site, wordpress = origins
    now = int(time.time())
    token = jwt.encode({"iss": wordpress, "aud": "advik-coupons-admin", "sub": "ann",
                        "iat": now, "exp": now + 60, "jti": secrets.token_hex(16)},
                       SECRET, algorithm="HS256")
    frame, _messages = framed(page, wordpress, f"{site}/admin/sso?token={token}")
    assert shows(frame, "text=Log out") or shows(frame, ".topbar .who"), frame.url
    assert "/admin/coupons" in frame.url
    elsewhere = wordpress.replace("127.0.0.1", "localhost")  # the same server, not its origin
    frame, messages = framed(page, elsewhere, f"{site}/admin/coupons")
    assert refused(frame, messages, ".topbar"), (frame.url, messages)

