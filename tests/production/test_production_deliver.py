"""The outbox in production: gunicorn stages notices, two ``deliver`` processes send them.

Every redemption made through the server reaches the webhook receiver exactly
once, signed, though two workers poll the same outbox on MariaDB (and on PostgreSQL).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons.services.accounts import create_token
from advik_coupons.state import get_state
from tests.conftest import make_app, make_coupon
from tests.hook_receiver import SECRET, Receiver
from tests.production.servers import (
    fire,
    server_env,
    start_deliver_workers,
    start_server,
    stop_deliver_workers,
)

pytestmark = [pytest.mark.timeout(120)]
CLI = str(Path(sys.executable).parent / "advik-coupons")
REDEMPTIONS = 60


def webhook_env(mysql_url: str, folder: Path, receiver: Receiver) -> dict[str, str]:
    env = server_env(mysql_url, folder / "instance", ADVIK_WEBHOOK_URL=receiver.url,
                     ADVIK_WEBHOOK_SECRET=SECRET, ADVIK_WEBHOOK_EVENTS="redeemed",
                     ADVIK_WEBHOOK_RETRY_BASE_SECONDS="0.05")
    del env["ADVIK_HOOKS_DIR"]  # the bundled hooks: webhook.py registers its channel
    return env


@pytest.fixture(params=[pytest.param("mysql", marks=pytest.mark.mysql),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))


def test_deliver_workers_send_each_redemption_once(server_db: str, tmp_path: Path,
                                                   receiver: Receiver) -> None:
    mysql_url = server_db
    app: Flask = make_app(mysql_url, tmp_path / "app")
    code = "OUTBOX" + uuid.uuid4().hex[:8].upper()
    make_coupon(app, code=code)
    with app.app_context():
        token = create_token("deliver-test")
        get_state().engine.dispose()
    env = webhook_env(mysql_url, tmp_path, receiver)
    server = start_server(env, tmp_path, workers=2)
    workers = start_deliver_workers(CLI, env, 2, poll=0.2)
    refs = {f"BK-{uuid.uuid4().hex[:12]}" for _ in range(REDEMPTIONS)}
    try:
        answers = fire([(server.url + "/api/v1/redemptions",
                         {"code": code, "subtotal": "80.00", "booking_ref": ref})
                        for ref in refs], {"Authorization": f"Bearer {token}"})
        assert Counter(getattr(a, "status_code", a) for a in answers) == {201: REDEMPTIONS}
        mine = wait_for(receiver, refs, timeout=60)
    finally:
        failures = stop_deliver_workers(workers)
        server.stop()
    sent = Counter(event_id for event_id, _ref, _signed in mine)
    assert max(sent.values()) == 1, "a notice was sent twice"
    assert {ref for _id, ref, _signed in mine} == refs
    assert all(signed for _id, _ref, signed in mine)
    assert not failures, failures


def wait_for(receiver: Receiver, refs: set[str],
             timeout: float) -> list[tuple[str, str, bool]]:
    """The receiver's (event id, booking_ref, signed) for our bookings, once all arrived."""
    deadline = time.monotonic() + timeout
    while True:
        with receiver.lock:
            requests = list(receiver.requests)
        mine = []
        for request in requests:
            body = json.loads(request.body)
            ref = body.get("data", {}).get("booking", {}).get("booking_ref")
            if ref in refs:
                headers = {k.lower(): v for k, v in request.headers.items()}
                mine.append((headers["webhook-id"], ref,
                             headers.get("webhook-signature", "").startswith("v1,")))
        if {ref for _id, ref, _signed in mine} == refs or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


@pytest.mark.mysql
def test_webhook_settings_reach_the_workers(mysql_url: str, tmp_path: Path,
                                            receiver: Receiver) -> None:
    """The env that gunicorn gets makes the webhook channel (else nothing is staged)."""
    env = webhook_env(mysql_url, tmp_path, receiver)
    out = subprocess.run([sys.executable, "-c", (
        "from advik_coupons import create_app\n"
        "from advik_coupons.state import get_state\n"
        "app = create_app()\n"
        "print(sorted(c.name for c in get_state(app).channels))")],
        env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "webhook" in out.stdout
