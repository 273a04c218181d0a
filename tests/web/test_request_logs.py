"""The request id (``X-Request-ID``: taken, or made, and answered), carried into the
outbox notice and the webhook's headers; ``ADVIK_LOG_FORMAT=json`` log lines."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons.events import wait_for_hooks
from advik_coupons.events.delivery import drain_once
from advik_coupons.web.logformat import JsonFormatter, _AdvikHandler, configure, redact
from advik_coupons.webhook_verify import verify
from tests.conftest import ApiClient, coupon_fields, make_app
from tests.hook_receiver import SECRET, Receiver, webhook_config


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the plugin logs, as JSON lines; the process's logging restored afterwards."""
    ours = logging.getLogger("advik_coupons")
    level = ours.level
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    ours.addHandler(handler)
    yield out
    ours.removeHandler(handler)
    root = logging.getLogger()
    for found in [h for h in root.handlers if isinstance(h, _AdvikHandler)]:
        root.removeHandler(found)
    ours.setLevel(level)


def parsed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_the_request_id_is_taken_or_made_and_answered(app: Flask) -> None:
    client = app.test_client()
    given = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.1"})
    assert given.headers["X-Request-ID"] == "edge-7f3a.1"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != made
    for bad in ("has space", "x" * 200, "semi;colon", "new\u00e9line"):
        answer = client.get("/healthz", headers={"X-Request-ID": bad})
        assert answer.headers["X-Request-ID"] != bad
        assert len(answer.headers["X-Request-ID"]) == 32


def test_coupon_events_log_reason_coupon_and_request(sqlite_url: str, tmp_path: Path,
                                                     json_lines: io.StringIO) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_LOG_FORMAT="json")
    api = ApiClient(app)
    coupon = api.post("/coupons", json=coupon_fields(code="LOGS10", min_subtotal="50")).json
    client = app.test_client()
    answer = client.post("/coupons/apply", headers={"X-Request-ID": "req-42"},
                         json={"code": "LOGS10", "subtotal": "20",
                               "email": "ann.private@example.com"})
    assert answer.status_code == 422
    applied = client.post("/coupons/apply", json={"code": "LOGS10", "subtotal": "80"})
    assert applied.status_code == 200
    redeemed = api.post("/redemptions", json={"code": "LOGS10", "subtotal": "80",
                                              "booking_ref": "B-LOG"},
                        headers={"X-Request-ID": "req-43"})
    assert redeemed.status_code == 201
    assert wait_for_hooks(app)
    lines = parsed(json_lines)
    by_event = {line.get("event"): line for line in lines}
    rejected = by_event["coupon.rejected"]
    assert rejected["reason"] == "below_minimum" and rejected["coupon_id"] == coupon["id"]
    assert rejected["request_id"] == "req-42"
    assert rejected["level"] == "info" and rejected["logger"] == "advik_coupons.events"
    assert rejected["message"] == "coupon rejected"
    assert str(rejected["time"]).endswith("Z")
    assert by_event["coupon.applied"]["request_id"] == applied.headers["X-Request-ID"]
    assert by_event["coupon.redeemed"]["request_id"] == "req-43"
    assert by_event["coupon.redeemed"]["redemption_id"] == redeemed.json["id"]
    text = json_lines.getvalue()
    for secret in ("ann.private", "LOGS10", api.token):
        assert secret not in text


def test_without_json_no_event_lines(app: Flask, json_lines: io.StringIO) -> None:
    app.test_client().post("/coupons/apply", json={"code": "NONE", "subtotal": "5"})
    assert wait_for_hooks(app)
    assert "coupon.rejected" not in json_lines.getvalue()


def test_redaction_of_emails_and_tokens() -> None:
    assert redact("from ann.private@example.com") == "from a…@example.com"
    assert redact("token advk_AbC123_xyz used") == "token advk_… used"
    assert redact("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == "whsec_…"


def test_json_lines_on_stderr_of_a_real_process(tmp_path: Path) -> None:
    script = (
        "import logging\n"
        "from advik_coupons import create_app\n"
        f"app = create_app({{'ADVIK_DATABASE_URL': 'sqlite:///{tmp_path}/x.sqlite',"
        f" 'INSTANCE_PATH': '{tmp_path}/instance', 'SECRET_KEY': 'k', 'ADVIK_HOOKS_DIR': ''}})\n"
        "logging.getLogger('advik_coupons.db').warning('no db for %s', 'bo@example.org')\n"
        "app.logger.info('started')\n"
        "logging.getLogger('httpx').info('library chatter stays off')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('advik_coupons').exception('boom')\n")
    env = {**os.environ, "ADVIK_LOG_FORMAT": "json"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == [
        ("warning", "advik_coupons.db", "no db for b…@example.org"),
        ("info", "advik_coupons", "started"),
        ("error", "advik_coupons", "boom")]
    assert "ZeroDivisionError" in str(lines[2]["exc"])


def test_an_unknown_log_format_stops_the_app() -> None:
    with pytest.raises(RuntimeError, match="ADVIK_LOG_FORMAT"):
        configure("xml")


def test_the_request_id_reaches_the_notice_and_the_webhook(sqlite_url: str, tmp_path: Path,
                                                           receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, **webhook_config(receiver))
    api = ApiClient(app)
    api.post("/coupons", json=coupon_fields(code="HOOKID10"))
    answer = api.post("/redemptions", json={"code": "HOOKID10", "subtotal": "90",
                                            "booking_ref": "B-ID"},
                      headers={"X-Request-ID": "checkout-991"})
    assert answer.status_code == 201 and answer.headers["X-Request-ID"] == "checkout-991"
    assert drain_once(app) == 1
    [sent] = receiver.requests
    assert sent.headers["X-Request-Id"] == "checkout-991"
    body = json.loads(sent.body)
    assert body["request_id"] == "checkout-991" and body["type"] == "coupon.redeemed"
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert verify(SECRET, headers, sent.body)["request_id"] == "checkout-991"
