"""Fixtures of the WordPress bridge's tests: one WordPress site and one service for the
whole folder (made once: about five seconds), and a browser page per test.

Without Debian's WordPress and PHP, or MariaDB, the tests skip on a developer's machine
and fail under ``CI=true`` (``.ci/run`` installs them).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.support import save_screenshot
from tests.wordpress.site import (
    Service,
    WordPress,
    database_url,
    free_port,
    fresh_database,
    need_wordpress,
    service_env,
)

WEBHOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
SSO_SECRET = secrets.token_urlsafe(32)
BOOKING_PAGE = ('[advik_test_booking]\n\n[advik_coupon subtotal="120.00" email="ann@example.com"'
                ' date="2026-12-07" form="advik-test-booking"]')
COUPONS = [
    {"name": "Spring", "code": "SPRING10", "discount_type": "percent", "discount_value": "10",
     "min_subtotal": "100"},
    {"name": "Five off", "code": "FLAT5", "discount_type": "fixed", "discount_value": "5"},
    {"name": "Expired", "code": "GONE2025", "discount_type": "fixed", "discount_value": "5",
     "starts_at": "2025-01-01", "ends_at": "2025-01-31"},
]


@dataclass
class Bridge:
    """The running pair: the WordPress site and the service."""

    wp: WordPress
    service: Service
    options: dict[str, Any]


@pytest.fixture(scope="package")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    need_wordpress()
    db = database_url()
    fresh_database(db)
    folder = tmp_path_factory.mktemp("wordpress-bridge")
    wp = WordPress(folder / "wordpress", free_port(), db)
    wp.folder.mkdir()
    service = Service(folder / "service", free_port(), {})
    service.folder.mkdir()
    service.env = service_env(
        db, service.folder, ADVIK_CORS_ORIGINS=wp.url, ADVIK_WEBHOOK_URL=wp.events_url,
        ADVIK_WEBHOOK_SECRET=WEBHOOK_SECRET, ADVIK_WEBHOOK_RETRY_BASE_SECONDS="0.25",
        ADVIK_WORDPRESS_SSO_SECRET=SSO_SECRET)
    try:
        service.start(COUPONS)
        options = {"advik_coupons_settings": {"url": service.url, "token": service.token,
                                              "webhook_secret": WEBHOOK_SECRET,
                                              "sso_secret": SSO_SECRET}}
        wp.build()
        wp.install(options, [{"slug": "book", "title": "Book a cleaning",
                              "content": BOOKING_PAGE}])
        wp.start()
        yield Bridge(wp, service, options)
    finally:
        wp.stop()
        service.stop()


@pytest.fixture(autouse=True)
def no_php_problems(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test: the plugin wrote no PHP error, warning or notice to WordPress's log."""
    if "bridge" not in request.fixturenames:
        yield
        return
    wp: WordPress = request.getfixturevalue("bridge").wp
    start = wp.debug_log.stat().st_size if wp.debug_log.exists() else 0
    yield
    assert wp.plugin_problems(start) == []


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; a screenshot when the test fails."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, "wordpress-" + request.node.name)
    context.close()
