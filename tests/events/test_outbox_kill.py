"""A worker killed (kill -9) between claiming and sending loses nothing: when its
lease ends another worker delivers the notice, exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons.events import delivery
from advik_coupons.state import get_state
from tests.conftest import DATABASES, make_app
from tests.hook_receiver import Receiver, outbox, stage_event, webhook_config

LEASE = 2

BLOCKING_HOOK = """
import os
import time
from pathlib import Path

from advik_coupons import events


def register(app, state):
    marker = Path(os.environ["TEST_HOOK_MARKER"])

    def send(item):  # claimed, then stuck before anything goes out
        marker.write_text(item.event_id)
        time.sleep(600)

    events.add_channel(state, events.Channel(
        "webhook", frozenset(events.EVENT_TYPES), send=send, endpoint="blocking"))
"""


@pytest.fixture(params=list(DATABASES))
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param != "sqlite":
        request.applymarker(getattr(pytest.mark, request.param))
        app: Flask = request.getfixturevalue(DATABASES[request.param])
        with app.app_context():
            return get_state().engine.url.render_as_string(hide_password=False)
    return request.getfixturevalue("sqlite_url")  # type: ignore[no-any-return]


def start_worker(tmp_path: Path, url: str) -> tuple[subprocess.Popen[bytes], Path]:
    hooks = tmp_path / "blocking_hooks"
    hooks.mkdir()
    (hooks / "blocking.py").write_text(textwrap.dedent(BLOCKING_HOOK))
    marker = tmp_path / "claimed.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVIK_")}
    env.update({"ADVIK_DATABASE_URL": url, "ADVIK_HOOKS_DIR": str(hooks),
                "ADVIK_INSTANCE_PATH": str(tmp_path / "worker-instance"),
                "ADVIK_DELIVERY_LEASE_SECONDS": str(LEASE), "SECRET_KEY": "worker",
                "TEST_HOOK_MARKER": str(marker)})
    process = subprocess.Popen(
        [sys.executable, "-c", "from advik_coupons.cli import main; main()",
         "deliver", "--poll", "0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return process, marker


def test_killed_worker_loses_nothing(db_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(db_url, tmp_path, **webhook_config(receiver,
                                                      ADVIK_DELIVERY_LEASE_SECONDS=LEASE))
    event_id = stage_event(app)
    process, marker = start_worker(tmp_path, db_url)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the worker never claimed the notice"
            time.sleep(0.05)
        [row] = outbox(app)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.claimed_until is not None
        process.kill()  # SIGKILL: no clean-up of any kind
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert marker.read_text() == event_id
    assert delivery.drain(app) == 0, "claimed again while the dead worker's lease held"
    assert receiver.requests == []
    deadline = time.monotonic() + LEASE + 5
    while delivery.drain(app) == 0:
        assert time.monotonic() < deadline, "the notice was not picked up after the lease"
        time.sleep(0.2)
    assert delivery.drain(app) == 0
    [row] = outbox(app)
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [r.headers["Webhook-Id"] for r in receiver.requests] == [event_id]
