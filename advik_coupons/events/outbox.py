"""Staging outbox notices inside the caller's transaction.

:func:`stage` writes one outbox row per subscribed delivery
:class:`~advik_coupons.channels.Channel` in the caller's transaction, so a
notice exists exactly when the change does; :mod:`advik_coupons.events.delivery`
sends it later.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, scoped_session

from .. import requestid
from ..channels import Channel
from ..state import AppState
from ..store.models import OutboxMessage, utcnow


def add_channel(state: AppState, channel: Channel) -> None:
    """Register ``channel`` on an app (replacing one of the same name)."""
    state.channels[:] = [c for c in state.channels if c.name != channel.name] + [channel]


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def event_body(event_id: str, event_type: str, data: dict[str, Any],
               created_at: datetime | None = None,
               request_id: str | None = None) -> dict[str, Any]:
    """A notice's body; ``request_id`` (the request that made the change) when known."""
    moment = created_at or utcnow()
    body = {"id": event_id, "type": event_type,
            "created_at": moment.isoformat().replace("+00:00", "Z"), "data": data}
    if request_id:
        body["request_id"] = request_id
    return body


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
    payload = json.dumps(event_body(event_id, event_type, data, moment, requestid.current()),
                         default=str)
    for channel in wanted:
        session.add(OutboxMessage(event_id=event_id, channel=channel.name,
                                  event_type=event_type, coupon_id=coupon_id,
                                  payload=payload, status="pending", attempts=0,
                                  next_attempt_at=moment, created_at=moment))
    return event_id
