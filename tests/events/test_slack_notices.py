"""The bundled Slack hook: a readable message through the outbox, on redemptions and
when a coupon reaches its limit (not on applies by default)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advik_coupons.events import delivery
from tests.conftest import ApiClient, make_app, make_coupon
from tests.hook_receiver import Receiver, outbox, running_receiver


@pytest.fixture
def slack() -> Iterator[Receiver]:
    with running_receiver() as found:
        yield found


def test_redeemed_and_limit_reached_reach_slack(sqlite_url: str, tmp_path: Path,
                                                slack: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=None,
                   ADVIK_SLACK_WEBHOOK_URL=slack.url, ADVIK_SITE_URL="https://shop.example",
                   ADVIK_WEBHOOK_RETRY_BASE_SECONDS=0.01)
    coupon_id = make_coupon(app, code="SPRING10", max_uses=1)
    api = ApiClient(app)
    assert api.post("/quote", json={"code": "spring10", "subtotal": "120.00"}).status_code == 200
    answer = api.post("/redemptions", json={
        "code": "spring10", "subtotal": "120.00", "booking_ref": "BK-<42>",
        "email": "ann@example.com"})
    assert answer.status_code == 201
    assert {r.channel for r in outbox(app)} == {"slack"}
    assert [r.event_type for r in outbox(app)] == ["coupon.redeemed", "coupon.limit_reached"]
    slack.answer(500)  # Slack hiccups once: the message is retried, not lost
    deadline = time.monotonic() + 10  # the retry is due after a jittered 0.01 s back-off
    while time.monotonic() < deadline:
        delivery.drain(app)
        if all(r.status == "delivered" for r in outbox(app)):
            break
        time.sleep(0.05)
    assert [r.status for r in outbox(app)] == ["delivered", "delivered"]
    texts = [json.loads(r.body)["text"] for r in slack.requests[1:]]
    redeemed, used_up = sorted(texts, key=lambda t: "limit" in t)
    assert "*Coupon SPRING10 redeemed*" in redeemed
    assert "BK-&lt;42&gt;" in redeemed and "ann@example.com" in redeemed
    assert "Discount $12.00" in redeemed and "total $108.00" in redeemed
    link = f"<https://shop.example/admin/coupons/{coupon_id}|Open the coupon in the admin>"
    assert link in redeemed
    assert "reached its usage limit" in used_up and "All 1 uses are taken." in used_up
    block = json.loads(slack.requests[-1].body)["blocks"][0]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"


def test_slack_is_off_without_a_url(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=None)
    make_coupon(app)
    ApiClient(app).post("/redemptions", json={"code": "TEST10", "subtotal": "10.00",
                                              "booking_ref": "BK-1"})
    assert outbox(app) == []
