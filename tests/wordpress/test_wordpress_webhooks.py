"""The service's webhook reaches WordPress as actions: ``POST /wp-json/advik-coupons/v1/events``.

The real outbox delivers a redemption to the real site (also after the site was
down for the first attempts); hand-made requests check what is refused (a forged
or stale signature: 4xx, nothing fires) and that one ``webhook-id`` fires once.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from advik_coupons.webhook_verify import sign
from tests.wordpress.conftest import WEBHOOK_SECRET, Bridge
from tests.wordpress.site import SERVICE_PREFIX, query, wait_for

pytestmark = pytest.mark.mysql

LIFECYCLE = ["applied", "redeemed", "released", "limit_reached", "created", "updated",
             "deleted", "expired", "expiring_soon", "redemption_amended"]


def event(kind: str = "coupon.redeemed", booking_ref: str = "BK-HAND", **data: Any) -> bytes:
    body = {"id": "evt_" + uuid.uuid4().hex, "type": kind, "created_at": "2026-12-01T10:00:00Z",
            "data": {"coupon": {"id": 1, "code": "FLAT5"}, "booking": {"booking_ref": booking_ref},
                     "amounts": {"total": "45.00"}, **data}}
    return json.dumps(body).encode()


def post(bridge: Bridge, body: bytes, *, msg_id: str | None = None, stamp: int | None = None,
         secret: str = WEBHOOK_SECRET, signature: str | None = None,
         headers: dict[str, str] | None = None) -> httpx.Response:
    msg_id = msg_id or json.loads(body)["id"]
    stamp = int(time.time()) if stamp is None else stamp
    sent = {"content-type": "application/json", "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature or sign(secret, msg_id, stamp, body)}
    if headers is not None:
        sent = headers
    return httpx.post(bridge.wp.events_url, content=body, headers=sent, timeout=10)


def fired(bridge: Bridge, booking_ref: str) -> list[dict[str, Any]]:
    return [e for e in bridge.wp.events() if e["booking_ref"] == booking_ref]


def test_a_redemption_fires_advik_coupon_redeemed_once(bridge: Bridge) -> None:
    ref = "BK-" + uuid.uuid4().hex[:8]
    answer = bridge.service.api("POST", "/redemptions", json={
        "code": "flat5", "subtotal": "50.00", "email": "bo@example.com", "booking_ref": ref})
    assert answer.status_code == 201, answer.text
    [seen] = wait_for("the advik_coupon_redeemed action", lambda: fired(bridge, ref))
    assert seen["action"] == "advik_coupon_redeemed" and seen["type"] == "coupon.redeemed"
    assert (seen["code"], seen["total"]) == ("FLAT5", "48.71")  # 45.00 + 8.25 % tax
    time.sleep(1.5)  # a duplicate delivery would land in this time (retries start at 0.25 s)
    assert len(fired(bridge, ref)) == 1


def outbox(bridge: Bridge, ref: str) -> tuple[str, int, str | None]:
    rows = query(bridge.wp.db, f"SELECT status, attempts, last_error FROM {SERVICE_PREFIX}outbox "
                 "WHERE event_type = 'coupon.redeemed' AND payload LIKE %s", f"%{ref}%")
    assert len(rows) == 1, rows
    return rows[0][0], int(rows[0][1]), rows[0][2]


def test_delivered_once_after_the_site_was_down(bridge: Bridge) -> None:
    ref = "BK-DOWN-" + uuid.uuid4().hex[:8]
    bridge.wp.stop()
    try:
        answer = bridge.service.api("POST", "/redemptions", json={
            "code": "FLAT5", "subtotal": "80.00", "email": "cy@example.com", "booking_ref": ref})
        assert answer.status_code == 201, answer.text
        wait_for("two failed attempts", lambda: outbox(bridge, ref)[1] >= 2, timeout=20)
        status, attempts, error = outbox(bridge, ref)
        assert status == "pending" and error, (status, attempts, error)
        assert fired(bridge, ref) == []
    finally:
        bridge.wp.start()
    [seen] = wait_for("the retried delivery", lambda: fired(bridge, ref), timeout=30)
    assert seen["action"] == "advik_coupon_redeemed" and seen["code"] == "FLAT5"
    wait_for("the outbox marks it delivered", lambda: outbox(bridge, ref)[0] == "delivered")
    time.sleep(1.5)
    assert len(fired(bridge, ref)) == 1


def test_forged_and_stale_requests_are_refused_and_fire_nothing(bridge: Bridge) -> None:
    before = len(bridge.wp.events())
    body = event(booking_ref="BK-FORGED")
    msg_id = json.loads(body)["id"]
    other_secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    now = int(time.time())
    good = sign(WEBHOOK_SECRET, msg_id, now, body)
    cases = {
        "wrong secret": post(bridge, body, secret=other_secret, stamp=now),
        "over five minutes old": post(bridge, body, stamp=now - 310),  # the edge: unit-tests.php
        "over five minutes ahead": post(bridge, body, stamp=now + 310),
        "body changed": post(bridge, body + b" ", stamp=now, signature=good, msg_id=msg_id),
        "id changed": post(bridge, body, stamp=now, signature=good, msg_id="evt_other"),
        "time stamp changed": post(bridge, body, stamp=now + 1, signature=good),
        "not v1": post(bridge, body, stamp=now, signature="v2," + good[3:]),
        "no version": post(bridge, body, stamp=now, signature=good[3:]),
    }
    for case, answer in cases.items():
        assert answer.status_code == 401, (case, answer.status_code, answer.text)
    missing = post(bridge, body, headers={"content-type": "application/json"})
    assert missing.status_code == 400, missing.text
    assert len(bridge.wp.events()) == before
    assert fired(bridge, "BK-FORGED") == []


def test_a_webhook_id_fires_once_even_when_sent_again_or_at_once(bridge: Bridge) -> None:
    body = event(booking_ref="BK-REPLAY")
    first = post(bridge, body)
    assert first.status_code == 200 and first.json()["action"] == "advik_coupon_redeemed"
    again = post(bridge, body)  # a fresh time stamp and signature, the same id
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert len(fired(bridge, "BK-REPLAY")) == 1

    body = event(booking_ref="BK-AT-ONCE")
    answers: list[int] = []
    start = threading.Barrier(6)

    def send() -> None:
        start.wait()
        answers.append(post(bridge, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * 6
    assert len(fired(bridge, "BK-AT-ONCE")) == 1


def test_every_event_type_fires_its_action(bridge: Bridge) -> None:
    for kind in LIFECYCLE:
        answer = post(bridge, event("coupon." + kind, booking_ref="BK-TYPE-" + kind))
        assert answer.status_code == 200, (kind, answer.text)
        assert answer.json()["action"] == "advik_coupon_" + kind
        [seen] = fired(bridge, "BK-TYPE-" + kind)
        assert seen["action"] == "advik_coupon_" + kind
    for kind in ("booking.created", "coupon.", "coupon.Redeemed", "coupon.x-y"):
        answer = post(bridge, event(kind, booking_ref="BK-NOT-A-TYPE"))
        assert answer.status_code == 400, (kind, answer.text)
    assert fired(bridge, "BK-NOT-A-TYPE") == []


def test_a_failing_handler_answers_500_and_the_retry_fires(bridge: Bridge) -> None:
    body = event(booking_ref="BK-THROWS", throw_once=uuid.uuid4().hex)
    failed = post(bridge, body)
    assert failed.status_code == 500, failed.text
    assert fired(bridge, "BK-THROWS") == []
    retried = post(bridge, body)  # the service sends the same id again later
    assert retried.status_code == 200 and retried.json()["action"] == "advik_coupon_redeemed"
    assert len(fired(bridge, "BK-THROWS")) == 1
