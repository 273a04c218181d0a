"""Bundled hook: post coupon events to ``ADVIK_WEBHOOK_URL``, signed (Standard Webhooks).

Does nothing until ``ADVIK_WEBHOOK_URL`` is set. Events are chosen by
``ADVIK_WEBHOOK_EVENTS`` (default ``applied,redeemed,released,limit_reached``)
and go through the durable outbox: each is written in the same transaction
as the change (an apply: right after the quote) and sent by the delivery
worker, retried with back-off, with the same ``webhook-id`` on every attempt.

The body is ``{"id", "type", "created_at", "data": {"coupon", "booking", "amounts"}}``
(and ``request_id`` when a request made the change); the headers are ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
``"id.timestamp.body"`` keyed with the ``whsec_`` secret of ``ADVIK_WEBHOOK_SECRET``),
and ``x-request-id`` with that request's id. Receivers verify with
:func:`advik_coupons.webhook_verify.verify`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from flask import Flask

from advik_coupons import events
from advik_coupons.webhook_verify import secret_key, sign

log = logging.getLogger("advik_coupons.hooks.webhook")
USER_AGENT = "advik-coupons-webhook/1"


class WebhookSender:
    """Posts one outbox notice; the delivery worker records the answer."""

    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self.url = url
        self.secret = secret
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                                   headers={"user-agent": USER_AGENT})

    def __call__(self, item: events.Outgoing) -> httpx.Response:
        # A bad secret fails every attempt (visible on the deliveries page) rather
        # than dropping events: fix the setting, then retry the failed ones.
        secret_key(self.secret)
        timestamp = int(time.time())
        body = item.payload.encode()
        headers = {"content-type": "application/json", "webhook-id": item.event_id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(self.secret, item.event_id, timestamp, body)}
        if item.request_id:
            headers["x-request-id"] = item.request_id
        return self.client.post(self.url, content=body, headers=headers)


def register(app: Flask, state: Any) -> None:
    url = str(app.config.get("ADVIK_WEBHOOK_URL") or "").strip()
    if not url:
        return
    secret = str(app.config.get("ADVIK_WEBHOOK_SECRET") or "")
    try:
        secret_key(secret)
    except ValueError as exc:
        log.error("ADVIK_WEBHOOK_SECRET: %s; webhook notices are kept and fail until "
                  "it is fixed", exc)
    wanted = events.parse_event_types(str(app.config.get("ADVIK_WEBHOOK_EVENTS") or ""))
    timeout = float(app.config.get("ADVIK_WEBHOOK_TIMEOUT_SECONDS") or 12.0)
    events.add_channel(state, events.Channel("webhook", wanted,
                                             send=WebhookSender(url, secret, timeout),
                                             endpoint=url))
