"""Standard Webhooks signatures: checked against an independent computation, and
verified by the receiver helper on a real delivered request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons.events import delivery
from advik_coupons.webhook_verify import WebhookVerificationError, sign, verify
from tests.conftest import ApiClient, make_app, make_coupon
from tests.hook_receiver import SECRET, Receiver, outbox, webhook_config


def independent_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, msg_id.encode() + b"." + timestamp.encode() + b"." + body,
                   hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def test_sign_matches_an_independent_hmac() -> None:
    body = b'{"id":"evt_1","type":"coupon.redeemed"}'
    assert sign(SECRET, "evt_1", 1_700_000_000, body) == independent_signature(
        SECRET, "evt_1", "1700000000", body)
    # Standard Webhooks' published example: secret, id, timestamp, body and signature.
    example = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                   1614265330, b'{"test": 2432232314}')
    assert example == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_delivered_request_verifies(hooked: Flask, receiver: Receiver) -> None:
    make_coupon(hooked)
    api = ApiClient(hooked)
    answer = api.post("/redemptions", json={"code": "TEST10", "subtotal": "50.00",
                                            "booking_ref": "BK-7", "email": "bo@example.com"})
    assert answer.status_code == 201
    delivery.drain(hooked)
    [request] = receiver.requests
    headers = request.headers
    assert headers["Webhook-Signature"] == independent_signature(
        SECRET, headers["Webhook-Id"], headers["Webhook-Timestamp"], request.body)
    event = verify(SECRET, headers, request.body)
    assert event["id"] == headers["Webhook-Id"]
    assert event["type"] == "coupon.redeemed"
    assert event["data"]["booking"]["booking_ref"] == "BK-7"
    assert event["data"]["amounts"]["total"] == "45.00"
    assert set(event["data"]) == {"coupon", "booking", "amounts"}


def test_verify_refuses_tampering_old_requests_and_wrong_secrets() -> None:
    body = json.dumps({"id": "evt_2", "type": "coupon.applied", "data": {}}).encode()
    now = 1_800_000_000
    headers = {"webhook-id": "evt_2", "webhook-timestamp": str(now),
               "webhook-signature": sign(SECRET, "evt_2", now, body)}
    assert verify(SECRET, headers, body, now=now)["id"] == "evt_2"
    # several signatures (a key rotation): one match is enough
    rotated = {**headers, "webhook-signature": "v1,AAAA " + headers["webhook-signature"]}
    assert verify(SECRET, rotated, body, now=now + 10)["type"] == "coupon.applied"
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, body.replace(b"applied", b"redeemed"), now=now)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, {**headers, "webhook-id": "evt_3"}, body, now=now)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, body, now=now + 301)
    other = "whsec_" + base64.b64encode(b"x" * 24).decode()
    with pytest.raises(WebhookVerificationError):
        verify(other, headers, body, now=now)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, {"webhook-id": "evt_2"}, body, now=now)


def test_a_bad_secret_keeps_the_notice_and_fails_visibly(
        sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path,
                   **webhook_config(receiver, ADVIK_WEBHOOK_SECRET="not-a-secret!"))
    make_coupon(app)
    ApiClient(app).post("/redemptions", json={"code": "TEST10", "subtotal": "50.00",
                                              "booking_ref": "BK-8"})
    delivery.drain(app)
    [row] = outbox(app)
    assert row.status == "pending" and row.last_error and "secret" in row.last_error
    assert receiver.requests == []
