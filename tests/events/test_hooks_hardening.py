"""One hanging hook never silences the others (issue 18 row 10).

A handler that hangs used to take every worker of the hook pool; the queue then
filled and each later call was dropped with a log line of its own: in 1,200
events the raising handler beside it ran 6 times and the log got 1,395
"dropped" lines. A hook module whose ``register()`` hung stopped the app from
starting, with nothing logged.
"""

from __future__ import annotations

import logging
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from advik_coupons import signals
from advik_coupons.events import connect, emit, wait_for_hooks
from advik_coupons.state import get_state
from tests.conftest import make_app

pytestmark = [pytest.mark.timeout(120)]
EVENTS = 1200


def test_a_hanging_handler_never_silences_the_others(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOK_TIMEOUT_SECONDS=0.3)
    release = threading.Event()
    lock = threading.Lock()
    seen: dict[str, int] = {"raiser": 0, "hang": 0}

    def hang(_app: Flask, **_kw: Any) -> None:
        with lock:
            seen["hang"] += 1
        release.wait(60)

    def raiser(_app: Flask, **_kw: Any) -> None:
        with lock:
            seen["raiser"] += 1
        raise RuntimeError("a handler's own bug")

    connect(signals.coupon_applied, hang, app)
    connect(signals.coupon_applied, raiser, app)
    try:
        with caplog.at_level(logging.INFO, logger="advik_coupons.hooks"), app.app_context():
            for n in range(EVENTS):
                emit(signals.coupon_applied, n=n)
                time.sleep(0.004)  # events over ~5 s, as a busy site sends them
            deadline = time.monotonic() + 30
            while seen["raiser"] < EVENTS and time.monotonic() < deadline:
                time.sleep(0.05)
            assert wait_for_hooks(app, 10)
    finally:
        release.set()
        signals.coupon_applied.disconnect(hang)
        signals.coupon_applied.disconnect(raiser)
    assert seen["raiser"] == EVENTS
    assert seen["hang"] <= 2  # then skipped until it returns
    about_hang = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
                  and "raised" not in r.getMessage()]
    assert any("abandoned" in m for m in about_hang)
    assert len(about_hang) <= 2, about_hang  # "abandoned", "skipped": once, not per event
    assert not [r for r in caplog.records if "dropped" in r.getMessage()]


def test_a_slow_handler_still_runs_every_call(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOK_TIMEOUT_SECONDS=5)
    done: list[int] = []

    def slow(_app: Flask, *, n: int) -> None:
        time.sleep(0.05)
        done.append(n)

    connect(signals.coupon_applied, slow, app)
    try:
        with app.app_context():
            for n in range(20):
                emit(signals.coupon_applied, n=n)
        assert wait_for_hooks(app, 20)
    finally:
        signals.coupon_applied.disconnect(slow)
    assert sorted(done) == list(range(20))


HANGING_MODULE = """
import threading

from advik_coupons import events, signals

RELEASE = threading.Event()


def late(app, **kw):
    pass


def register(app, state):
    RELEASE.wait(20)
    events.connect(signals.coupon_applied, late, app)
"""

GOOD_MODULE = """
def register(app, state):
    state.hooks_loaded.append("good ran")
"""


def test_a_register_that_hangs_is_logged_by_name_and_skipped(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "hooks"
    folder.mkdir()
    (folder / "a_hangs.py").write_text(textwrap.dedent(HANGING_MODULE))
    (folder / "b_good.py").write_text(textwrap.dedent(GOOD_MODULE))
    made: list[Flask] = []

    def start() -> None:
        made.append(make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=str(folder),
                             ADVIK_HOOK_REGISTER_SECONDS=0.5))

    with caplog.at_level(logging.ERROR, logger="advik_coupons.hooks"):
        starter = threading.Thread(target=start, daemon=True)
        starter.start()
        starter.join(10)
    assert made, "the app did not start while a hook module's register() hung"
    app = made[0]
    loaded = get_state(app).hooks_loaded
    assert any("b_good.py" in name for name in loaded)
    assert not any("a_hangs.py" in name for name in loaded)
    assert "a_hangs.py" in caplog.text and "did not finish" in caplog.text
    hanging = next(m for name, m in __import__("sys").modules.items()
                   if name.startswith("advik_coupons_hook_a_hangs_"))
    hanging.RELEASE.set()  # register() now connects: the app must not get that receiver
    time.sleep(0.3)
    assert not list(signals.coupon_applied.receivers_for(app))
