"""Signals: declared with WordPress-style names, sent after the commit, receivers kept
alive, and a handler that raises or hangs never breaks or slows the request."""

from __future__ import annotations

import gc
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text

from advik_coupons import events, signals
from advik_coupons.store.models import table_prefix
from tests.conftest import ApiClient, make_app, make_coupon

BODY = {"code": "TEST10", "subtotal": "100.00", "email": "ann@example.com"}


def test_every_signal_has_its_wordpress_name() -> None:
    names = {s.name for s in signals.ALL_SIGNALS}
    assert {"advik_coupon_applied", "advik_coupon_rejected", "advik_coupon_redeemed",
            "advik_coupon_released", "advik_coupon_limit_reached", "advik_coupon_created",
            "advik_coupon_updated", "advik_coupon_deleted"} <= names
    assert signals.coupon_applied.name == "advik_coupon_applied"


def test_a_closure_connected_weakly_by_a_hook_module_survives_gc(
        sqlite_url: str, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "closure_hook.py").write_text(textwrap.dedent("""
        from advik_coupons import signals

        def register(app, state):
            seen = app.config.setdefault("TEST_SEEN", [])

            def on_redeemed(sender, **kw):       # a closure, connected WEAKLY
                seen.append(kw["redemption"]["booking_ref"])

            signals.coupon_redeemed.connect(on_redeemed, sender=app)
    """))
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=str(hooks))
    make_coupon(app)
    gc.collect()
    api = ApiClient(app)
    answer = api.post("/redemptions", json={**BODY, "booking_ref": "BK-1"})
    assert answer.status_code == 201
    assert events.wait_for_hooks(app)
    assert app.config["TEST_SEEN"] == ["BK-1"]


def test_redeemed_is_sent_after_the_commit(app: Flask, sqlite_url: str) -> None:
    make_coupon(app)
    seen: list[int] = []
    other = create_engine(sqlite_url)  # another connection sees committed rows only

    def count_rows(sender: Flask, **kw: Any) -> None:
        with other.connect() as connection:
            seen.append(connection.execute(
                text(f"SELECT COUNT(*) FROM {table_prefix()}redemptions")).scalar_one())

    events.connect(signals.coupon_redeemed, count_rows, app)
    api = ApiClient(app)
    assert api.post("/redemptions", json={**BODY, "booking_ref": "BK-2"}).status_code == 201
    assert events.wait_for_hooks(app)
    other.dispose()
    assert seen == [1]


def test_a_hanging_handler_does_not_slow_the_quote(app: Flask) -> None:
    make_coupon(app)
    release = threading.Event()
    started: list[float] = []

    def hangs(sender: Flask, **kw: Any) -> None:
        started.append(time.monotonic())
        release.wait(5)

    def raises(sender: Flask, **kw: Any) -> None:
        raise RuntimeError("integrator bug")

    events.connect(signals.coupon_applied, hangs, app)
    events.connect(signals.coupon_applied, raises, app)
    api = ApiClient(app)
    began = time.monotonic()
    answer = api.post("/quote", json=BODY)
    took = time.monotonic() - began
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["discount"] == "10.00"
    assert took < 1.5, f"the quote took {took:.2f} s behind a hanging handler"
    deadline = time.monotonic() + 3
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started, "the handler never ran"
    release.set()
    assert events.wait_for_hooks(app)


def test_a_raising_handler_does_not_break_a_redemption(app: Flask) -> None:
    make_coupon(app)

    def raises(sender: Flask, **kw: Any) -> None:
        raise RuntimeError("integrator bug")

    events.connect(signals.coupon_redeemed, raises, app)
    api = ApiClient(app)
    answer = api.post("/redemptions", json={**BODY, "booking_ref": "BK-3"})
    assert answer.status_code == 201
    assert events.wait_for_hooks(app)
    assert api.get("/coupons").get_json()["items"][0]["used"] == 1
