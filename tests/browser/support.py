"""Shared by the browser tests: Debian's Chromium, a threaded test server, screenshots.

Playwright drives ``/usr/bin/chromium`` (never a downloaded browser); without it
the browser tests skip on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from advik_coupons import create_app
from advik_coupons.commands import prepare_demo as prepare
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon, CouponCode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing (CI must install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing")


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        if "advik_coupons" in app.extensions:
            with app.app_context():
                get_state().engine.dispose()


def save_screenshot(page: Any, name: str) -> Path | None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / (name.replace("/", "_").replace("[", "-").replace("]", "") + ".png")
    try:
        page.screenshot(path=str(target), full_page=True)
    except Exception:  # noqa: BLE001 - a closed page: nothing to save
        return None
    return target


def open_page(browser: Browser, request: pytest.FixtureRequest,
              **context: Any) -> Iterator[Page]:
    """A fresh context and page for one test (1280×900, en-US unless ``context`` says
    otherwise); a screenshot is kept when the test fails. Use as ``yield from``."""
    context.setdefault("viewport", {"width": 1280, "height": 900})
    context.setdefault("locale", "en-US")
    opened_context = browser.new_context(**context)
    opened_context.set_default_timeout(10_000)
    opened = opened_context.new_page()
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        save_screenshot(opened, request.node.name)
    opened_context.close()


def launch_browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, headless (the ``browser`` fixture)."""
    need_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def used(app: Flask, code: str) -> int:
    """The ``used`` count of the coupon behind ``code``, read from the database."""
    with app.app_context():
        session = get_state().session
        value = session.execute(select(Coupon.used).join(
            CouponCode, CouponCode.coupon_id == Coupon.id).where(CouponCode.code == code)
        ).scalar_one()
        session.rollback()
        return int(value)


def demo_app(folder: Path, **config: Any) -> Flask:
    """The demo app on a fresh SQLite file, schema, coupons and admin ready."""
    app = create_app({"TESTING": False, "SECRET_KEY": "browser-tests", "ADVIK_DEMO": True,
                      "ADVIK_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}",
                      "INSTANCE_PATH": str(folder / "instance"), "ADVIK_HOOKS_DIR": "",
                      "ADVIK_QUOTE_CACHE_SECONDS": 0, "ADVIK_APPLY_RATE_LIMIT": "",
                      "ADVIK_TAX_RATE": Decimal("8.25"),
                      **config})
    prepare(app)
    return app


# Deep cleaning 140.00 + window washing 45.00; tax 8.25 % on the post-discount subtotal.
SUBTOTAL, TAX_BEFORE, TOTAL_BEFORE = "$185.00", "$15.26", "$200.26"
SPRING10 = {"discount": "\u2212$18.50", "tax": "$13.74", "total": "$180.24"}
GREEN, RED = "rgb(20, 108, 46)", "rgb(179, 38, 30)"
