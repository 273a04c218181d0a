"""Sending hooks safely, and staging outbox notices inside a transaction.

:func:`emit` calls each receiver of a signal on its own and logs what one
raises, so an integrator's handler never breaks the customer's request.
:func:`stage` writes one outbox row per subscribed delivery channel in the
caller's transaction, so a notice exists exactly when the change does.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blinker import NamedSignal
from flask import current_app
from sqlalchemy.orm import Session

from .models import OutboxMessage, utcnow

log = logging.getLogger("advik_coupons.hooks")


@dataclass(frozen=True)
class Channel:
    """A delivery channel of the outbox (the webhook, Slack…) and its event types."""

    name: str
    events: frozenset[str]


def emit(signal: NamedSignal, **kwargs: Any) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for receiver in list(signal.receivers_for(app)):
        try:
            receiver(app, **kwargs)
        except Exception:
            log.exception("hook %r on %s raised; the request goes on", receiver, signal.name)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def event_body(event_id: str, event_type: str, data: dict[str, Any],
               created_at: datetime | None = None) -> dict[str, Any]:
    moment = created_at or utcnow()
    return {"id": event_id, "type": event_type,
            "created_at": moment.isoformat().replace("+00:00", "Z"), "data": data}


def stage(session: Session, channels: list[Channel], event_type: str, data: dict[str, Any],
          *, coupon_id: int | None = None) -> str | None:
    """Add outbox rows for ``event_type`` (e.g. ``coupon.redeemed``) to ``session``."""
    wanted = [c for c in channels if event_type in c.events]
    if not wanted:
        return None
    event_id = new_event_id()
    payload = json.dumps(event_body(event_id, event_type, data), default=str)
    for channel in wanted:
        session.add(OutboxMessage(event_id=event_id, channel=channel.name,
                                  event_type=event_type, coupon_id=coupon_id,
                                  payload=payload, status="pending", attempts=0,
                                  next_attempt_at=utcnow()))
    return event_id
