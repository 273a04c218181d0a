"""Bundled hook: a readable Slack message when a coupon is redeemed or used up.

Does nothing until ``ADVIK_SLACK_WEBHOOK_URL`` (a Slack incoming webhook) is
set. Events: ``ADVIK_SLACK_EVENTS`` (default ``redeemed,limit_reached``).
Messages go through the same durable outbox as the webhook (channel
``slack``), so they are retried and never lost. The message names the code,
the booking, the discount and the total, and links to the coupon's admin
page (``ADVIK_SITE_URL`` + ``/admin/coupons/<id>``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from flask import Flask

from advik_coupons import events
from advik_coupons.domain.money import format_money

TITLES = {"coupon.redeemed": "Coupon {code} redeemed",
          "coupon.limit_reached": "Coupon {code} has reached its usage limit",
          "coupon.released": "Coupon {code} released (booking cancelled)",
          "coupon.applied": "Coupon {code} applied at checkout",
          "coupon.redemption_amended": "A booking with coupon {code} was changed",
          "coupon.created": "Coupon {code} created",
          "coupon.updated": "Coupon {code} changed",
          "coupon.deleted": "Coupon {code} deleted",
          "coupon.expired": "Coupon {code} has expired",
          "coupon.expiring_soon": "{code} expires in {days}"}


def escape(text: object) -> str:
    """Slack's mrkdwn escaping for text we did not write ourselves."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _money(value: object, currency: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return escape(value)


def message(body: dict[str, Any], admin_base: str) -> dict[str, Any]:
    """The Slack payload for one event body (``{"id", "type", "created_at", "data"}``)."""
    data = body.get("data") or {}
    coupon = data.get("coupon") or {}
    booking = data.get("booking") or {}
    amounts = data.get("amounts") or {}
    currency = str(amounts.get("currency") or "USD")
    code = escape(coupon.get("code") or "?")
    title = TITLES.get(str(body.get("type")), "Coupon {code}: " + escape(body.get("type")))
    left = data.get("days_left")
    days = "less than a day" if left == 0 else f"{left} day" + ("" if left == 1 else "s")
    title = title.format(code=code, days=days)
    if body.get("type") == "coupon.expiring_soon":
        title += f": {int(data.get('bookings') or 0):,} bookings so far"
    if body.get("type") == "coupon.deleted" and data.get("archived"):
        title = f"Coupon {code} archived (it has bookings, so its history is kept)"
    lines = []
    if booking.get("booking_ref"):
        who = f" ({escape(booking['email'])})" if booking.get("email") else ""
        lines.append(f"Booking *{escape(booking['booking_ref'])}*{who}")
    if amounts:
        lines.append(f"Discount {_money(amounts.get('discount'), currency)} · "
                     f"total {_money(amounts.get('total'), currency)}")
    changes = data.get("changes") or {}
    if changes:
        lines.append("Changed: " + ", ".join(escape(k) for k in sorted(changes)))
    if body.get("type") == "coupon.limit_reached" and coupon.get("max_uses"):
        lines.append(f"All {escape(coupon['max_uses'])} uses are taken.")
    link = f"{admin_base}/coupons/{coupon.get('id')}"
    if link.startswith(("http://", "https://")):
        lines.append(f"<{link}|Open the coupon in the admin>")
    else:
        lines.append(f"Admin page: {escape(link)}")
    text = f"*{title}*\n" + "\n".join(lines)
    return {"text": text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class SlackSender:
    def __init__(self, url: str, admin_base: str, timeout: float) -> None:
        self.url = url
        self.admin_base = admin_base
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)

    def __call__(self, item: events.Outgoing) -> httpx.Response:
        return self.client.post(self.url, json=message(item.body, self.admin_base))


def register(app: Flask, state: Any) -> None:
    url = str(app.config.get("ADVIK_SLACK_WEBHOOK_URL") or "").strip()
    if not url:
        return
    admin_base = (str(app.config.get("ADVIK_SITE_URL") or "").rstrip("/")
                  + str(app.config.get("ADVIK_URL_PREFIX") or "").rstrip("/")
                  + str(app.config.get("ADVIK_ADMIN_PREFIX") or "/admin").rstrip("/"))
    wanted = events.parse_event_types(str(app.config.get("ADVIK_SLACK_EVENTS") or ""))
    timeout = float(app.config.get("ADVIK_WEBHOOK_TIMEOUT_SECONDS") or 12.0)
    events.add_channel(state, events.Channel("slack", wanted,
                                             send=SlackSender(url, admin_base, timeout),
                                             endpoint=url))
