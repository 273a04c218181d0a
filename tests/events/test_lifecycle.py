"""Lifecycle events (docs/contracts.md §9): created, updated, deleted with the change, and
expiring soon / expired found by the outbox worker's scan — each sent exactly once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask

from advik_coupons import events, signals
from advik_coupons.events import delivery
from advik_coupons.services.lifecycle import announce_due
from advik_coupons.state import get_state
from hooks.slack import message
from tests.conftest import ApiClient, coupon_fields, make_app, make_coupon
from tests.hook_receiver import Receiver, outbox, webhook_config

LIFECYCLE = "created,updated,deleted,expired,expiring_soon,redeemed"
END = datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC)


def app_with_events(url: str, tmp_path: Path, receiver: Receiver) -> Flask:
    return make_app(url, tmp_path, **webhook_config(receiver, ADVIK_WEBHOOK_EVENTS=LIFECYCLE))


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


def test_created_updated_deleted_reach_the_webhook(sqlite_url: str, tmp_path: Path,
                                                   receiver: Receiver) -> None:
    app = app_with_events(sqlite_url, tmp_path, receiver)
    api = ApiClient(app)
    coupon = api.post("/coupons", json=coupon_fields()).json
    api.patch(f"/coupons/{coupon['id']}", json={"discount_value": "15", "name": "Spring"})
    api.patch(f"/coupons/{coupon['id']}", json={"name": "Spring"})  # no change: no event
    api.delete(f"/coupons/{coupon['id']}")
    delivery.drain(app)
    found = bodies(receiver)
    assert [b["type"] for b in found] == ["coupon.created", "coupon.updated", "coupon.deleted"]
    assert found[0]["data"]["coupon"]["code"] == "TEST10"
    assert found[1]["data"]["changes"] == {"discount_value": ["10.00", "15.00"],
                                           "name": ["Test coupon", "Spring"]}
    assert found[1]["data"]["actor"] == "api:tests"
    assert found[2]["data"]["archived"] is False


def test_the_default_events_leave_out_previews(hooked: Flask) -> None:
    make_coupon(hooked)
    hooked.test_client().post("/coupons/apply", json={"code": "TEST10", "subtotal": "100"})
    assert [row.event_type for row in outbox(hooked)] == []


def scan(app: Flask, now: datetime) -> list[tuple[str, str]]:
    with app.app_context():
        return announce_due(now)


def test_expiring_soon_then_expired_once_each(sqlite_url: str, tmp_path: Path,
                                              receiver: Receiver) -> None:
    app = app_with_events(sqlite_url, tmp_path, receiver)
    make_coupon(app, code="SPRING10", ends_at=END, starts_at=END - timedelta(days=90))
    seen: list[tuple[str, Any]] = []
    events.connect(signals.coupon_expiring_soon,
                   lambda sender, **kw: seen.append(("soon", kw["days_left"])), app)
    events.connect(signals.coupon_expired,
                   lambda sender, **kw: seen.append(("expired", kw["coupon"]["code"])), app)
    assert scan(app, END - timedelta(days=10)) == []
    assert scan(app, END - timedelta(days=2, hours=12)) == [("SPRING10", "expiring_soon")]
    assert scan(app, END - timedelta(days=1)) == []
    assert scan(app, END + timedelta(seconds=1)) == [("SPRING10", "expired")]
    assert scan(app, END + timedelta(days=2)) == []
    assert events.wait_for_hooks(app)
    assert seen == [("soon", 3), ("expired", "SPRING10")]
    delivery.drain(app)
    timed = [b for b in bodies(receiver) if b["type"] != "coupon.created"]
    assert [b["type"] for b in timed] == ["coupon.expiring_soon", "coupon.expired"]
    assert timed[0]["data"]["days_left"] == 3 and timed[0]["data"]["bookings"] == 0


def test_a_new_end_date_is_announced_again_and_old_ends_are_not(
        sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = app_with_events(sqlite_url, tmp_path, receiver)
    old = make_coupon(app, code="LONGGONE", ends_at=END - timedelta(days=30),
                      starts_at=END - timedelta(days=100))
    coupon_id = make_coupon(app, code="SPRING10", ends_at=END, starts_at=END - timedelta(days=90))
    assert scan(app, END + timedelta(hours=1)) == [("SPRING10", "expired")]
    api = ApiClient(app)
    api.patch(f"/coupons/{coupon_id}", json={"ends_at": "2027-04-30"})
    assert scan(app, END + timedelta(days=28)) == [("SPRING10", "expiring_soon")]
    assert old  # expired a month before the scan: too long ago to announce


def test_two_workers_scanning_at_once_announce_once(any_app: Flask) -> None:
    make_coupon(any_app, code="RACE", ends_at=END, starts_at=END - timedelta(days=90))
    barrier = threading.Barrier(6)
    found: list[list[tuple[str, str]]] = []

    def worker() -> None:
        with any_app.app_context():
            barrier.wait(timeout=30)
            found.append(announce_due(END + timedelta(seconds=5)))
            get_state().sessions.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(pair for result in found for pair in result) == [("RACE", "expired")]


def test_the_slack_line_of_expiring_soon() -> None:
    body = {"type": "coupon.expiring_soon", "data": {
        "coupon": {"id": 7, "code": "SPRING10"}, "days_left": 3, "bookings": 412}}
    assert message(body, "https://site.example/admin")["text"].startswith(
        "*SPRING10 expires in 3 days: 412 bookings so far*")


def test_the_worker_loop_scans(sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, **webhook_config(
        receiver, ADVIK_WEBHOOK_EVENTS="expiring_soon"))
    make_coupon(app, code="SOON", ends_at=datetime.now(UTC) + timedelta(days=1),
                discount_value=Decimal("5"))
    assert delivery.drain(app, announce_due) == 1
    assert [b["type"] for b in bodies(receiver)] == ["coupon.expiring_soon"]
