"""The delivery worker against a real HTTP receiver: down then up, 500, 503 with
Retry-After, 410, a timeout, giving up, and one webhook-id for every attempt."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

from advik_coupons.events import delivery
from advik_coupons.state import get_state
from advik_coupons.store.models import utcnow
from tests.conftest import make_app
from tests.hook_receiver import (
    Receiver,
    make_due,
    outbox,
    stage_event,
    webhook_config,
)


def test_delivered_once_with_the_event_id(hooked: Flask, receiver: Receiver) -> None:
    event_id = stage_event(hooked)
    assert delivery.drain(hooked) == 1
    assert delivery.drain(hooked) == 0
    [row] = outbox(hooked)
    assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 200)
    assert row.delivered_at is not None
    [request] = receiver.requests
    assert request.headers["Webhook-Id"] == event_id
    assert request.headers["Content-Type"] == "application/json"
    assert request.body.decode() == row.payload


def test_receiver_down_then_up(sqlite_url: str, tmp_path: Path) -> None:
    down = Receiver()
    down.start()
    port = down.port
    down.stop()  # nothing listens on the port now
    app = make_app(sqlite_url, tmp_path, **webhook_config(down))
    event_id = stage_event(app)
    assert delivery.drain(app) == 1
    [row] = outbox(app)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and "Connect" in row.last_error
    assert row.next_attempt_at > row.created_at
    up = Receiver()
    up.start(port)
    try:
        make_due(app)
        assert delivery.drain(app) == 1
    finally:
        up.stop()
    [row] = outbox(app)
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [r.headers["Webhook-Id"] for r in up.requests] == [event_id]


def test_500_then_503_retry_after_then_success(hooked: Flask, receiver: Receiver) -> None:
    event_id = stage_event(hooked)
    receiver.answer(500)
    receiver.answer(503, {"Retry-After": "120"})
    delivery.drain(hooked)
    [row] = outbox(hooked)
    assert (row.status, row.last_status, row.attempts) == ("pending", 500, 1)
    make_due(hooked)
    before = utcnow()
    delivery.drain(hooked)
    [row] = outbox(hooked)
    assert (row.status, row.last_status, row.attempts) == ("pending", 503, 2)
    # base is 0.01 s, yet the receiver asked for two minutes
    assert row.next_attempt_at >= before + timedelta(seconds=119)
    assert delivery.drain(hooked) == 0  # not due yet
    make_due(hooked)
    delivery.drain(hooked)
    [row] = outbox(hooked)
    assert (row.status, row.attempts) == ("delivered", 3)
    ids = {r.headers["Webhook-Id"] for r in receiver.requests}
    assert ids == {event_id} and len(receiver.requests) == 3


def test_410_disables_the_endpoint_until_a_retry(hooked: Flask, receiver: Receiver) -> None:
    first = stage_event(hooked)
    receiver.answer(410)
    delivery.drain(hooked)
    stage_event(hooked)  # staged after the endpoint went away
    delivery.drain(hooked)
    rows = outbox(hooked)
    assert [r.status for r in rows] == ["disabled", "disabled"]
    assert len(receiver.requests) == 1  # the second was never sent
    assert delivery.retry(hooked, rows[0].id)
    delivery.drain(hooked)
    rows = outbox(hooked)
    assert [r.status for r in rows] == ["delivered", "delivered"]  # every parked one
    assert first in [r.headers["Webhook-Id"] for r in receiver.requests[1:]]


def test_a_timeout_counts_as_a_failure(sqlite_url: str, tmp_path: Path,
                                       receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path,
                   **webhook_config(receiver, ADVIK_WEBHOOK_TIMEOUT_SECONDS=0.3))
    stage_event(app)
    receiver.answer(200, delay=1.0)
    delivery.drain(app)
    [row] = outbox(app)
    assert row.status == "pending" and row.last_error and row.last_error.startswith("timeout")
    make_due(app)
    delivery.drain(app)
    assert outbox(app)[0].status == "delivered"


def test_gives_up_after_the_schedule(hooked: Flask, receiver: Receiver) -> None:
    stage_event(hooked)
    receiver.answer(500, times=delivery.MAX_ATTEMPTS)
    for _ in range(delivery.MAX_ATTEMPTS):
        make_due(hooked)
        delivery.drain(hooked)
    [row] = outbox(hooked)
    assert (row.status, row.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert row.last_error and "gave up" in row.last_error
    make_due(hooked)
    assert delivery.drain(hooked) == 0
    assert delivery.retry(hooked, row.id)
    delivery.drain(hooked)
    assert outbox(hooked)[0].status == "delivered"
    assert not delivery.retry(hooked, row.id)  # delivered: nothing to retry


def test_the_documented_schedule_is_about_three_days() -> None:
    delays = delivery.schedule(5.0)
    assert delays[:4] == [5.0, 20.0, 80.0, 320.0]
    assert max(delays) == 12 * 3600
    assert 2.5 * 86400 < sum(delays) < 3.5 * 86400
    rng = random.Random(7)
    for failures in range(1, delivery.MAX_ATTEMPTS):
        wait = delivery.retry_delay(failures, 5.0, rng)
        exact = delays[failures - 1]
        assert 0.8 * exact <= wait <= 1.2 * exact


def test_retry_after_parsing() -> None:
    now = utcnow()
    assert delivery.parse_retry_after("30", now) == 30
    assert delivery.parse_retry_after(None, now) is None
    assert delivery.parse_retry_after("soon", now) is None
    assert delivery.parse_retry_after("99999999", now) == delivery.MAX_RETRY_AFTER
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    parsed = delivery.parse_retry_after(later, now)
    assert parsed is not None and 85 <= parsed <= 91


def test_deliver_once_command(hooked: Flask, receiver: Receiver) -> None:
    stage_event(hooked)
    stage_event(hooked, "coupon.released")
    result = hooked.test_cli_runner().invoke(args=["advik", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 notice" in result.output
    assert [r.status for r in outbox(hooked)] == ["delivered", "delivered"]
    assert len(receiver.requests) == 2


def test_the_background_thread_delivers(sqlite_url: str, tmp_path: Path,
                                        receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path,
                   **webhook_config(receiver, ADVIK_DELIVERY_THREAD=True))
    with app.app_context():
        stop = get_state().delivery_stop
    try:
        event_id = stage_event(app)
        deadline = time.monotonic() + 10
        while not receiver.requests:
            assert time.monotonic() < deadline, "the delivery thread sent nothing"
            time.sleep(0.05)
        assert delivery.start_thread(app) is stop  # one thread per app
    finally:
        stop.set()
    assert [r.headers["Webhook-Id"] for r in receiver.requests] == [event_id]
