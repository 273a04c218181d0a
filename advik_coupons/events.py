"""Sending hooks safely, and staging outbox notices inside a transaction.

:func:`emit` hands each receiver of a signal to a small pool of background
threads (:mod:`advik_coupons.hookpool`) that runs it with the app context
pushed and logs what it raises, so an integrator's handler that raises or
hangs never breaks or slows the customer's request. Receivers therefore run
*after* the request's transaction and outside its request context: they get
plain values (dicts, :class:`~advik_coupons.rules.Booking`, ...), never ORM rows.

:func:`stage` writes one outbox row per subscribed delivery :class:`Channel`
in the caller's transaction, so a notice exists exactly when the change does;
:mod:`advik_coupons.delivery` sends it later.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blinker import NamedSignal
from flask import Flask, current_app
from sqlalchemy.orm import Session, scoped_session

from . import hookpool
from .models import OutboxMessage, utcnow

if TYPE_CHECKING:
    import httpx

    from .extension import AppState

log = logging.getLogger("advik_coupons.hooks")

#: The event types a delivery channel can subscribe to (``ADVIK_WEBHOOK_EVENTS``).
EVENT_TYPES = ("coupon.applied", "coupon.redeemed", "coupon.released", "coupon.limit_reached")


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


def add_channel(state: AppState, channel: Channel) -> None:
    """Register ``channel`` on an app (replacing one of the same name)."""
    state.channels[:] = [c for c in state.channels if c.name != channel.name] + [channel]


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


def connect(signal: NamedSignal, handler: Callable[..., Any],
            app: Flask | None = None) -> Callable[..., Any]:
    """Connect ``handler`` to ``signal`` strongly (a closure stays connected).

    With ``app`` it receives only that app's events. Returns ``handler``.
    """
    if app is None:
        return signal.connect(handler, weak=False)
    return signal.connect(handler, sender=app, weak=False)


def emit(signal: NamedSignal, **kwargs: Any) -> None:
    """Send ``signal`` with the current app as sender, without waiting for receivers."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    receivers = list(signal.receivers_for(app))
    if receivers:
        hookpool.pool_for(app).submit(signal.name, receivers, kwargs)


def wait_for_hooks(app: Flask, timeout: float = 5.0) -> bool:
    """Block until the receivers already emitted for ``app`` have run (tests, shutdown)."""
    return hookpool.pool_for(app).wait_idle(timeout)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def event_body(event_id: str, event_type: str, data: dict[str, Any],
               created_at: datetime | None = None) -> dict[str, Any]:
    moment = created_at or utcnow()
    return {"id": event_id, "type": event_type,
            "created_at": moment.isoformat().replace("+00:00", "Z"), "data": data}


def stage(session: Session | scoped_session[Session], channels: list[Channel],
          event_type: str, data: dict[str, Any], *,
          coupon_id: int | None = None) -> str | None:
    """Add outbox rows for ``event_type`` (e.g. ``coupon.redeemed``) to ``session``.

    Does nothing (and costs nothing) when no channel subscribes. Returns the
    event id shared by every channel's row: receivers deduplicate on it.
    """
    wanted = [c for c in channels if event_type in c.events]
    if not wanted:
        return None
    event_id = new_event_id()
    moment = utcnow()
    payload = json.dumps(event_body(event_id, event_type, data, moment), default=str)
    for channel in wanted:
        session.add(OutboxMessage(event_id=event_id, channel=channel.name,
                                  event_type=event_type, coupon_id=coupon_id,
                                  payload=payload, status="pending", attempts=0,
                                  next_attempt_at=moment, created_at=moment))
    return event_id
