"""Delivery channels of the outbox: what a channel is and what it is handed.

A leaf module (it imports nothing of the package), so the app's state can
hold its channels without depending on :mod:`advik_coupons.events`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

#: The event types a delivery channel can subscribe to (``ADVIK_WEBHOOK_EVENTS``).
EVENT_TYPES = ("coupon.applied", "coupon.redeemed", "coupon.released", "coupon.limit_reached",
               "coupon.redemption_amended", "coupon.created", "coupon.updated",
               "coupon.deleted", "coupon.expired", "coupon.expiring_soon")


@dataclass(frozen=True)
class Outgoing:
    """One outbox row handed to a channel's sender."""

    row_id: int
    event_id: str
    event_type: str
    channel: str
    payload: str  # the JSON body, byte-for-byte the same on every attempt
    attempt: int  # 1 for the first try
    created_at: datetime

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.payload)  # type: ignore[no-any-return]

    @property
    def request_id(self) -> str | None:
        """The id of the request that made the change (for the receiver's logs), if any."""
        found = self.body.get("request_id")
        return found if isinstance(found, str) else None


#: A channel's sender: posts one notice and returns the HTTP response. It may
#: raise (``httpx.HTTPError`` or anything else): the delivery counts a failure.
Sender = Callable[[Outgoing], "httpx.Response"]


@dataclass(frozen=True)
class Channel:
    """A delivery channel of the outbox (the webhook, Slack...).

    ``events`` are the event types it receives (see :data:`EVENT_TYPES`).
    ``send`` posts one notice (the delivery worker calls it); ``endpoint`` names
    where it goes (a URL), so an endpoint disabled by ``410 Gone`` comes back
    by itself when the setting points somewhere else.
    """

    name: str
    events: frozenset[str]
    send: Sender | None = None
    endpoint: str = ""


def parse_event_types(value: str | Iterable[str]) -> frozenset[str]:
    """``"applied,redeemed"`` (or ``coupon.applied``, ``advik_coupon_applied``) → types.

    Raises :class:`ValueError` naming an unknown event.
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    found: set[str] = set()
    for raw in parts:
        name = raw.strip().lower()
        if not name:
            continue
        name = name.removeprefix("advik_coupon_").removeprefix("coupon.").removeprefix("coupon_")
        event_type = "coupon." + name
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event {raw.strip()!r}; known: "
                             + ", ".join(t.removeprefix("coupon.") for t in EVENT_TYPES))
        found.add(event_type)
    return frozenset(found)


def subscribed(channels: Iterable[Channel], event_type: str) -> bool:
    return any(event_type in c.events for c in channels)
