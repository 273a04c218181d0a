"""After a ``410``, retrying one notice sends every parked notice again (issue 18 row 13).

Retrying one re-enabled the endpoint, but the other notices parked with it stayed
``disabled`` for ever: the receiver never got them unless each was retried by hand.
"""

from __future__ import annotations

from flask import Flask

from advik_coupons.events import delivery
from tests.hook_receiver import Receiver, outbox, stage_event


def test_retrying_one_parked_notice_sends_them_all(hooked: Flask, receiver: Receiver) -> None:
    ids = [stage_event(hooked)]
    receiver.answer(410)
    delivery.drain(hooked)
    ids += [stage_event(hooked) for _ in range(3)]  # parked: the endpoint is gone
    delivery.drain(hooked)
    rows = outbox(hooked)
    assert {r.status for r in rows} == {"disabled"} and len(receiver.requests) == 1
    assert delivery.retry(hooked, rows[2].id)
    delivery.drain(hooked)
    rows = outbox(hooked)
    assert [r.status for r in rows] == ["delivered"] * 4
    assert sorted(r.headers["Webhook-Id"] for r in receiver.requests[1:]) == sorted(ids)
    assert all(r.attempts == 1 for r in rows)
