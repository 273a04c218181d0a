"""A coupon that ends during the test, in Chromium: the admin makes it with an end date,
the outbox worker's scan runs at injected times (never waited for), and the webhook
gets one ``coupon.expired`` — shown once on the admin's webhook deliveries page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from advik_coupons.demo.data import ensure_admin
from advik_coupons.events import delivery
from advik_coupons.services.lifecycle import announce_due
from tests.browser.support import demo_app, need_chromium, save_screenshot, serving
from tests.browser.test_browser_campaign import log_in
from tests.hook_receiver import Receiver, webhook_config

pytestmark = pytest.mark.browser
# "Ends 2027-03-31" in the form is the end of that day in the admin's zone (UTC here).
END = datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  timezone_id="UTC")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, request.node.name)
    context.close()


def test_a_coupon_that_ends_fires_one_expired_webhook(tmp_path: Path, receiver: Receiver,
                                                      page: Page) -> None:
    need_chromium()
    app = demo_app(tmp_path, ADVIK_FUNNEL_FLUSH_SECONDS=0, ADVIK_TIMEZONE="UTC",
                   **webhook_config(receiver, ADVIK_WEBHOOK_EVENTS="expired"))
    with app.app_context():
        _email, password = ensure_admin(str(tmp_path / "instance"))
    with serving(app) as base:
        log_in(page, base, password, "/admin/coupons/new")
        page.get_by_label("Name", exact=True).fill("Spring sale")
        page.get_by_label("Coupon code").fill("ENDSOON")
        page.get_by_label("Discount value").fill("10")
        page.get_by_label("Starts").fill("2027-01-01")
        page.get_by_label("Ends").fill("2027-03-31")
        page.get_by_role("button", name="Create coupon").click()
        expect(page.get_by_text("Coupon ENDSOON created.")).to_be_visible()
        with app.app_context():
            assert ("ENDSOON", "expired") not in announce_due(END - timedelta(hours=1))
            assert announce_due(END + timedelta(seconds=1)) == [("ENDSOON", "expired")]
            assert announce_due(END + timedelta(days=1)) == []  # a later scan: no repeat
        assert delivery.drain(app) == 1
        page.goto(base + "/admin/deliveries")
        rows = page.locator("table.deliveries tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Expired")
        expect(rows.first).to_contain_text("Delivered")
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [(b["type"], b["data"]["coupon"]["code"]) for b in bodies] == [
        ("coupon.expired", "ENDSOON")]
