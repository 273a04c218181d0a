"""Single sign-on from WordPress's "Coupons" menu into the service's admin pages.

A WordPress admin clicks "Coupons" and sees the coupon list (framed in the WordPress
page, no second log-in); a subscriber gets nothing; the plugin's token works once and
not after it expired.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.wordpress.conftest import SSO_SECRET, Bridge
from tests.wordpress.site import ADMIN, SERVICE_PREFIX, SUBSCRIBER, query, wp_login

pytestmark = [pytest.mark.mysql, pytest.mark.browser]


def service_admins(bridge: Bridge) -> list[str]:
    return [row[0] for row in query(bridge.wp.db,
                                    f"SELECT email FROM {SERVICE_PREFIX}admin_users")]


def open_coupons(page: Page, bridge: Bridge) -> str:
    """Log in as the WordPress admin, click "Coupons"; the frame's sign-on address."""
    wp_login(page, bridge.wp, ADMIN["login"], ADMIN["password"])
    page.locator("#adminmenu").get_by_role("link", name="Coupons", exact=True).click()
    frame = page.frame_locator("#advik-coupons-frame")
    expect(frame.get_by_role("heading", name="Coupons")).to_be_visible()
    return str(page.locator("#advik-coupons-frame").get_attribute("src"))


def test_an_admin_lands_in_the_coupon_list_without_a_second_log_in(
        bridge: Bridge, page: Page) -> None:
    src = open_coupons(page, bridge)
    assert src.startswith(bridge.service.url + "/admin/sso?token=")
    frame = page.frame_locator("#advik-coupons-frame")
    expect(frame.get_by_text("SPRING10").first).to_be_visible()
    expect(frame.locator(".who-name")).to_have_text("wordpress:" + ADMIN["login"])
    assert "wordpress:" + ADMIN["login"] in service_admins(bridge)
    # "Open in a new tab": a fresh token, the whole window.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open in a new tab").click()
    tab = opened.value
    tab.wait_for_url(bridge.service.url + "/admin/coupons")
    expect(tab.get_by_text("SPRING10").first).to_be_visible()


def test_a_used_token_is_refused(bridge: Bridge, page: Page, browser: Browser) -> None:
    src = open_coupons(page, bridge)
    other = browser.new_context()
    try:
        replay = other.new_page()
        answer = replay.goto(src)
        assert answer is not None and answer.status == 403
        expect(replay.get_by_role("alert")).to_have_text(
            "This sign-in link has already been used (each one works once).")
        replay.goto(bridge.service.url + "/admin/coupons")
        expect(replay.get_by_role("heading", name="Log in")).to_be_visible()
    finally:
        other.close()


def test_an_expired_token_of_the_plugin_is_refused(bridge: Bridge) -> None:
    made = bridge.wp.call("advik_coupons_sso_token", SSO_SECRET, bridge.wp.url, ADMIN["login"],
                          "Site Admin", ADMIN["email"], int(time.time()) - 120,
                          secrets.token_hex(16))
    answer = httpx.get(bridge.service.url + "/admin/sso", params={"token": made["value"]})
    assert answer.status_code == 403 and "has expired" in answer.text
    fresh = bridge.wp.call("advik_coupons_sso_token", SSO_SECRET, bridge.wp.url, "late",
                           "Late", "late@example.com", int(time.time()), secrets.token_hex(16))
    client = httpx.Client(base_url=bridge.service.url)
    assert client.get("/admin/sso", params={"token": fresh["value"]}).status_code == 302
    assert client.get("/admin/coupons").status_code == 200  # the same token minted now works


def test_a_subscriber_gets_nothing(bridge: Bridge, page: Page) -> None:
    before = service_admins(bridge)
    wp_login(page, bridge.wp, SUBSCRIBER["login"], SUBSCRIBER["password"])
    expect(page.locator("#adminmenu")).to_be_visible()
    expect(page.locator("#adminmenu").get_by_role("link", name="Coupons", exact=True)) \
        .to_have_count(0)
    denied = page.goto(bridge.wp.url + "/wp-admin/admin.php?page=advik-coupons")
    assert denied is not None and denied.status == 403
    expect(page.get_by_text("Sorry, you are not allowed to access this page.")).to_be_visible()
    tab = page.goto(bridge.wp.url + "/wp-admin/admin-post.php?action=advik_coupons_open")
    assert tab is not None and tab.status == 403
    assert "/admin/sso" not in page.url
    assert service_admins(bridge) == before


def test_the_frame_is_allowed_for_this_wordpress_only(bridge: Bridge, page: Page) -> None:
    src = open_coupons(page, bridge)
    token = parse_qs(urlsplit(src).query)["token"][0]
    assert token.count(".") == 2
    listing = page.frame_locator("#advik-coupons-frame")
    expect(listing.get_by_role("link", name="New coupon")).to_be_visible()
    cookies = {c["name"]: c["value"] for c in page.context.cookies(bridge.service.url)}
    answer = httpx.get(bridge.service.url + "/admin/coupons", cookies=cookies)
    assert answer.status_code == 200
    assert f"frame-ancestors {bridge.wp.url}" in answer.headers["Content-Security-Policy"]
