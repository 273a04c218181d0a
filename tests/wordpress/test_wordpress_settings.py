"""Settings → Advik Coupons, as an admin uses it in the browser: the fields, what a
wp-config.php constant does to them, saving (secrets kept when left empty, bad values
refused), "Test connection"; nonces and capabilities; and uninstall.php."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.wordpress.conftest import Bridge
from tests.wordpress.site import ADMIN, SUBSCRIBER, wp_login

pytestmark = [pytest.mark.mysql, pytest.mark.browser]

OPTION = "advik_coupons_settings"


@pytest.fixture
def admin_page(bridge: Bridge, page: Page) -> Iterator[Page]:
    wp_login(page, bridge.wp, ADMIN["login"], ADMIN["password"])
    page.goto(bridge.wp.url + "/wp-admin/options-general.php?page=advik-coupons-settings")
    yield page
    bridge.wp.set_constants({})
    bridge.wp.call("update_option", OPTION, bridge.options[OPTION])


def logged_in_client(bridge: Bridge, page: Page) -> httpx.Client:
    """An HTTP client with the browser's WordPress cookies (some are for /wp-admin only)."""
    jar = httpx.Cookies()
    for cookie in page.context.cookies():
        jar.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
    return httpx.Client(base_url=bridge.wp.url, cookies=jar, timeout=10)


def saved(bridge: Bridge) -> dict[str, Any]:
    value: dict[str, Any] = bridge.wp.call("get_option", OPTION)["value"]
    return value


def test_the_page_shows_the_settings_and_what_to_set_on_the_service(
        bridge: Bridge, admin_page: Page) -> None:
    page = admin_page
    expect(page.get_by_role("heading", name="Advik Coupons")).to_be_visible()
    expect(page.get_by_label("Service URL")).to_have_value(bridge.service.url)
    for secret in ("API token", "Webhook secret", "Single sign-on secret"):
        field = page.get_by_label(secret)
        expect(field).to_have_attribute("type", "password")
        expect(field).to_have_value("")  # a saved secret is never sent back to the browser
        expect(field).to_have_attribute("placeholder", "saved — leave empty to keep it")
    listing = page.locator(".advik-coupons-service-settings")
    expect(listing).to_contain_text("ADVIK_CORS_ORIGINS=" + bridge.wp.url)
    expect(listing).to_contain_text(
        "ADVIK_WEBHOOK_URL=" + bridge.wp.url + "/wp-json/advik-coupons/v1/events")
    assert bridge.service.token not in page.content()


def test_saving_keeps_empty_secrets_and_refuses_bad_values(
        bridge: Bridge, admin_page: Page) -> None:
    page = admin_page
    page.get_by_label("Service URL").fill(bridge.service.url + "/")
    page.get_by_label("Single sign-on secret").fill("too-short")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.locator("#setting-error-advik_coupons_sso_secret")).to_contain_text(
        "use at least 32 characters")
    after = saved(bridge)
    assert after == {**bridge.options[OPTION], "url": bridge.service.url}  # slash dropped
    page.get_by_label("Webhook secret").fill("not-a-whsec-secret")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.locator("#setting-error-advik_coupons_webhook_secret")).to_be_visible()
    assert saved(bridge) == bridge.options[OPTION]


def test_a_wp_config_constant_is_shown_as_set_there(bridge: Bridge, admin_page: Page) -> None:
    bridge.wp.set_constants({"ADVIK_COUPONS_URL": bridge.service.url,
                             "ADVIK_COUPONS_SSO_SECRET": "x" * 40})
    page = admin_page
    page.reload()
    url = page.get_by_label("Service URL")
    expect(url).to_be_disabled()
    expect(url).to_have_value(bridge.service.url)
    expect(page.get_by_text("Set in wp-config.php (ADVIK_COUPONS_URL).")).to_be_visible()
    expect(page.get_by_label("Single sign-on secret")).to_be_disabled()
    expect(page.get_by_label("Single sign-on secret")).to_have_value("••••••••")
    expect(page.get_by_label("API token")).to_be_enabled()
    page.get_by_role("button", name="Save Changes").click()
    assert saved(bridge) == bridge.options[OPTION]  # the fixed ones are not saved over


def test_test_connection_says_what_it_found(bridge: Bridge, admin_page: Page) -> None:
    page = admin_page
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#advik-coupons-test-result")
    expect(result).to_have_class("notice notice-success")
    expect(result).to_contain_text(
        f"Reached the service at {bridge.service.url}: currency USD, tax 8.25 %.")
    expect(result).to_contain_text(f"This site ({bridge.wp.url}) may show the coupon widget.")
    expect(result).to_contain_text("The API token works:")
    expect(result).to_contain_text("Single sign-on: on at the service.")
    bridge.wp.set_constants({"ADVIK_COUPONS_TOKEN": "advk_wrong"})
    page.get_by_role("button", name="Test connection").click()
    expect(result).to_have_class("notice notice-error")
    expect(result).to_contain_text("refused the API token")


def test_forms_need_the_nonce_and_the_capability(bridge: Bridge, page: Page) -> None:
    wp_login(page, bridge.wp, SUBSCRIBER["login"], SUBSCRIBER["password"])
    client = logged_in_client(bridge, page)
    settings = client.get("/wp-admin/options-general.php?page=advik-coupons-settings")
    assert settings.status_code == 403
    tested = client.post("/wp-admin/admin-post.php", data={"action": "advik_coupons_test"})
    assert tested.status_code == 403
    saved_as_subscriber = client.post("/wp-admin/options.php", data={
        "option_page": "advik_coupons", "action": "update",
        f"{OPTION}[url]": "https://evil.example"})
    assert saved_as_subscriber.status_code == 403
    assert saved(bridge) == bridge.options[OPTION]


def test_admin_posts_without_a_nonce_are_refused(bridge: Bridge, admin_page: Page) -> None:
    client = logged_in_client(bridge, admin_page)
    assert client.post("/wp-admin/admin-post.php",
                       data={"action": "advik_coupons_test"}).status_code == 403
    assert client.get("/wp-admin/admin-post.php?action=advik_coupons_open").status_code == 403
    assert client.post("/wp-admin/options.php", data={
        "option_page": "advik_coupons", "action": "update",
        f"{OPTION}[url]": "https://evil.example"}).status_code == 403
    assert saved(bridge) == bridge.options[OPTION]


def test_uninstall_removes_the_options_and_transients(bridge: Bridge) -> None:
    wp = bridge.wp
    try:
        assert wp.call("set_transient", "advik_coupons_seen_test", "1", 600)["value"] is True
        wp.call("uninstall_plugin", "advik-coupons/advik-coupons.php")
        assert wp.call("get_option", OPTION)["value"] is False
        assert wp.call("get_transient", "advik_coupons_seen_test")["value"] is False
    finally:
        wp.call("update_option", OPTION, bridge.options[OPTION])
    assert saved(bridge) == bridge.options[OPTION]
