"""The screenshots of the campaign guide (docs/campaign.md), taken from the real pages.

Runs the demo app on a free 127.0.0.1 port with a fresh SQLite file, plays a
small campaign through it (a coupon made in the admin form, its link opened,
bookings made at the payment step) and saves PNGs of the pages in
``docs/img/``. Debian's Chromium through Playwright, never a downloaded browser.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def book(page: Page, base: str, email: str, services: list[str]) -> None:
    page.get_by_label("Your e-mail").fill(email)
    for name in services:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.locator("[data-advik-coupon][data-advik-ready]").wait_for()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from advik_coupons.demo.data import ensure_admin
    from tests.browser.support import demo_app, serving

    folder = Path(tempfile.mkdtemp(prefix="advik-shots-"))
    app = demo_app(folder, ADVIK_FUNNEL_FLUSH_SECONDS=0)
    with app.app_context():
        email, password = ensure_admin(str(folder / "instance"))
    OUT.mkdir(parents=True, exist_ok=True)
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/admin/login?next=/admin/coupons/new")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("Name", exact=True).fill("Winter deep clean")
        page.get_by_label("Coupon code").fill("WINTER20")
        page.get_by_label("Discount value").fill("20")
        page.get_by_label("Services", exact=True).fill("deep")
        page.screenshot(path=str(OUT / "campaign-1-create.png"), full_page=True)
        page.get_by_role("button", name="Create coupon").click()
        page.screenshot(path=str(OUT / "campaign-2-link.png"))
        link = page.locator("#share-link").input_value()
        customer = browser.new_page(viewport={"width": 1280, "height": 900})
        for n, services in enumerate([["Deep cleaning (4 h)", "Window washing"],
                                      ["Deep cleaning (4 h)"], ["Standard cleaning (2 h)"]]):
            customer.context.clear_cookies()
            customer.goto(link + "?next=/demo/")
            book(customer, base, f"guest{n}@example.com", services)
            if n == 0:
                customer.screenshot(path=str(OUT / "campaign-3-payment.png"), full_page=True)
            customer.get_by_role("button", name="Book").click()
            customer.get_by_role("heading", name="Thank you, you're booked!").wait_for()
        page.goto(base + "/admin/")
        page.screenshot(path=str(OUT / "campaign-4-overview.png"), full_page=True)
        browser.close()
    for shot in sorted(OUT.glob("campaign-*.png")):
        print(shot.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
