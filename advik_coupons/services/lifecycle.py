"""A coupon's life announced: expiring soon and expired, once per end date.

The outbox workers (``advik-coupons deliver`` and the thread of ``serve``)
call :func:`announce_due` every ``ADVIK_LIFECYCLE_SCAN_SECONDS``. A coupon
whose end is within ``ADVIK_EXPIRING_SOON_DAYS`` gets ``coupon.expiring_soon``;
one whose end has passed (within the last week, so an old install does not
announce years of history) gets ``coupon.expired``. Each is claimed in the
database first (:mod:`advik_coupons.store.lifecycle`), its notice staged in
the same transaction, and its signal sent after the commit. A coupon whose
end date changes is announced again for the new date.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from .. import signals
from ..events import emit, stage
from ..state import get_state
from ..store import lifecycle as sql
from ..store import retry
from ..store.models import Coupon
from ..store.queries import primary_code
from .serialize import coupon_json

EXPIRED_WINDOW = timedelta(days=7)


def days_left(ends_at: datetime, now: datetime) -> int:
    return max(0, math.ceil((ends_at - now).total_seconds() / 86400))


def announce_due(now: datetime | None = None) -> list[tuple[str, str]]:
    """Announce what is due (in the current app context); the (code, event) pairs sent."""
    state = get_state()
    session = state.session
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    soon = timedelta(days=float(current_app.config.get("ADVIK_EXPIRING_SOON_DAYS") or 0))
    plan = [("expiring_soon", moment, moment + soon), ("expired", moment - EXPIRED_WINDOW,
                                                        moment)]
    sent: list[tuple[str, str]] = []
    for event, low, high in plan:
        if low >= high:
            continue
        for coupon in sql.due(session, event, low, high):
            data = _announce(coupon, event, moment)
            if data is not None:
                sent.append((str(data["coupon"]["code"]), event))
    session.rollback()
    return sent


def _announce(coupon: Coupon, event: str, now: datetime) -> dict[str, Any] | None:
    state = get_state()
    session = state.session
    coupon_id, ends_at = coupon.id, coupon.ends_at
    assert ends_at is not None

    def write() -> dict[str, Any] | None:
        if not sql.claim(session, coupon_id, event, ends_at, now):
            session.rollback()
            return None
        data: dict[str, Any] = {"coupon": coupon_json(coupon, primary_code(session, coupon_id)),
                                "bookings": coupon.used}
        if event == "expiring_soon":
            data["days_left"] = days_left(ends_at, now)
        stage(session, state.channels, f"coupon.{event}", data, coupon_id=coupon_id)
        session.commit()
        return data

    data = retry.run(write, rollback=session.rollback, what=f"announce {event}")
    if data is None:
        return None
    if event == "expired":
        emit(signals.coupon_expired, coupon=data["coupon"])
    else:
        emit(signals.coupon_expiring_soon, coupon=data["coupon"], days_left=data["days_left"])
    return data
