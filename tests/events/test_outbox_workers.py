"""Several workers at once (SQLite and MariaDB): every notice is sent exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
from flask import Flask

from advik_coupons import events
from advik_coupons.events import delivery
from advik_coupons.state import get_state
from tests.hook_receiver import Receiver, outbox, stage_event

NOTICES = 40
WORKERS = 4


def add_test_channel(app: Flask, receiver: Receiver) -> None:
    client = httpx.Client(timeout=5)

    def send(item: events.Outgoing) -> httpx.Response:
        return client.post(receiver.url, content=item.payload,
                           headers={"webhook-id": item.event_id})

    with app.app_context():
        events.add_channel(get_state(), events.Channel(
            "custom", frozenset({"coupon.redeemed"}), send=send, endpoint=receiver.url))


def test_concurrent_workers_send_each_notice_once(any_app: Flask, receiver: Receiver) -> None:
    add_test_channel(any_app, receiver)
    ids = {stage_event(any_app) for _ in range(NOTICES)}
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def worker() -> None:
        try:
            start.wait()
            delivery.drain(any_app)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    sent = Counter(r.headers["Webhook-Id"] for r in receiver.requests)
    assert set(sent) == ids
    assert max(sent.values()) == 1, "a notice was sent twice"
    rows = outbox(any_app)
    assert {r.status for r in rows} == {"delivered"}
    assert {r.attempts for r in rows} == {1}


def test_a_claimed_notice_is_not_claimed_again_before_its_lease_ends(
        any_app: Flask, receiver: Receiver) -> None:
    add_test_channel(any_app, receiver)
    stage_event(any_app)
    with any_app.app_context():  # claim and send_one run inside the worker's app context
        first = delivery.claim(any_app, ["custom"])
        assert len(first) == 1
        assert delivery.claim(any_app, ["custom"]) == []
        channel = get_state().channels[0]
        assert delivery.send_one(any_app, channel, first[0]) == "delivered"
    assert outbox(any_app)[0].claimed_until is None
    assert len(receiver.requests) == 1
