"""Bundled hook: a readable Slack message when a coupon is redeemed or used up.

Does nothing until ``ADVIK_SLACK_WEBHOOK_URL`` (a Slack incoming webhook) is
set. Events: ``ADVIK_SLACK_EVENTS`` (default ``redeemed,limit_reached``).
Messages go through the same durable outbox as the webhook (channel
``slack``), so they are retried and never lost. The message names the code,
the booking, the discount and the total, and links to the coupon's admin
page (``ADVIK_SITE_URL`` + ``/admin/coupons/<id>``). Its words are in the site's
language (``ADVIK_LOCALE``, the package's catalogs); what the customer typed — the
e-mail, the booking reference — is quoted as it came.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from flask import Flask

from advik_coupons import events
from advik_coupons.domain.messages import N_
from advik_coupons.domain.money import babel_locale, format_money
from advik_coupons.web.i18n import catalog, match_tag

TITLES = {"coupon.redeemed": N_("Coupon {code} redeemed"),
          "coupon.limit_reached": N_("Coupon {code} has reached its usage limit"),
          "coupon.released": N_("Coupon {code} released (booking cancelled)"),
          "coupon.applied": N_("Coupon {code} applied at checkout"),
          "coupon.redemption_amended": N_("A booking with coupon {code} was changed"),
          "coupon.created": N_("Coupon {code} created"),
          "coupon.updated": N_("Coupon {code} changed"),
          "coupon.deleted": N_("Coupon {code} deleted"),
          "coupon.expired": N_("Coupon {code} has expired"),
          "coupon.expiring_soon": N_("{code} expires {when}")}
OTHER = N_("Coupon {code}: {event}")
ARCHIVED = N_("Coupon {code} archived (it has bookings, so its history is kept)")
SO_FAR = N_("{bookings} bookings so far")
LESS_THAN_A_DAY = N_("in less than a day")
BOOKING = N_("Booking *{ref}*")
AMOUNTS = N_("Discount {discount} · total {total}")
CHANGED = N_("Changed: {fields}")
ALL_TAKEN = N_("All {uses} uses are taken.")
OPEN_LINK = N_("Open the coupon in the admin")
ADMIN_PAGE = N_("Admin page: {link}")


def escape(text: object) -> str:
    """Slack's mrkdwn escaping for text we did not write ourselves."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _money(value: object, currency: str, locale: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency, locale)
    except (InvalidOperation, ValueError):
        return escape(value)


def _days(left: object, locale: str, _: Callable[[str], str]) -> str:
    if not isinstance(left, int) or left <= 0:
        return _(LESS_THAN_A_DAY)
    return str(format_timedelta(timedelta(days=left), threshold=10_000, granularity="day",
                                add_direction=True, locale=babel_locale(locale)))


def message(body: dict[str, Any], admin_base: str, locale: str = "en") -> dict[str, Any]:
    """The Slack payload for one event body (``{"id", "type", "created_at", "data"}``),
    its words in ``locale``."""
    _ = catalog(locale).gettext
    data = body.get("data") or {}
    coupon = data.get("coupon") or {}
    booking = data.get("booking") or {}
    amounts = data.get("amounts") or {}
    currency = str(amounts.get("currency") or "USD")
    code = escape(coupon.get("code") or "?")
    kind = str(body.get("type"))
    title = _(TITLES.get(kind, OTHER)).format(code=code, event=escape(kind),
                                              when=_days(data.get("days_left"), locale, _))
    if kind == "coupon.expiring_soon":
        count = format_decimal(int(data.get("bookings") or 0), locale=babel_locale(locale))
        title += ": " + _(SO_FAR).format(bookings=count)
    if kind == "coupon.deleted" and data.get("archived"):
        title = _(ARCHIVED).format(code=code)
    lines = []
    if booking.get("booking_ref"):
        who = f" ({escape(booking['email'])})" if booking.get("email") else ""
        lines.append(_(BOOKING).format(ref=escape(booking["booking_ref"])) + who)
    if amounts:
        lines.append(_(AMOUNTS).format(discount=_money(amounts.get("discount"), currency, locale),
                                       total=_money(amounts.get("total"), currency, locale)))
    changes = data.get("changes") or {}
    if changes:
        lines.append(_(CHANGED).format(fields=", ".join(escape(k) for k in sorted(changes))))
    if kind == "coupon.limit_reached" and coupon.get("max_uses"):
        lines.append(_(ALL_TAKEN).format(uses=escape(coupon["max_uses"])))
    link = f"{admin_base}/coupons/{coupon.get('id')}"
    if link.startswith(("http://", "https://")):
        lines.append(f"<{link}|{_(OPEN_LINK)}>")
    else:
        lines.append(_(ADMIN_PAGE).format(link=escape(link)))
    text = f"*{title}*\n" + "\n".join(lines)
    return {"text": text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class SlackSender:
    def __init__(self, url: str, admin_base: str, timeout: float, locale: str = "en") -> None:
        self.url = url
        self.admin_base = admin_base
        self.locale = locale
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)

    def __call__(self, item: events.Outgoing) -> httpx.Response:
        return self.client.post(self.url, json=message(item.body, self.admin_base, self.locale))


def register(app: Flask, state: Any) -> None:
    url = str(app.config.get("ADVIK_SLACK_WEBHOOK_URL") or "").strip()
    if not url:
        return
    admin_base = (str(app.config.get("ADVIK_SITE_URL") or "").rstrip("/")
                  + str(app.config.get("ADVIK_URL_PREFIX") or "").rstrip("/")
                  + str(app.config.get("ADVIK_ADMIN_PREFIX") or "/admin").rstrip("/"))
    wanted = events.parse_event_types(str(app.config.get("ADVIK_SLACK_EVENTS") or ""))
    timeout = float(app.config.get("ADVIK_WEBHOOK_TIMEOUT_SECONDS") or 12.0)
    locale = match_tag(str(app.config.get("ADVIK_LOCALE") or "en")) or "en"
    events.add_channel(state, events.Channel("slack", wanted,
                                             send=SlackSender(url, admin_base, timeout,
                                                              locale),
                                             endpoint=url))
