"""The SQL of time-based coupon events: which coupons are due, and the claim of one.

A claim is a row of ``coupon_events`` keyed by (coupon, event, end date): only
the worker whose insert goes in announces the event (another's waits for it
and then meets the unique key), so each goes out once however many workers
scan at the same time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Coupon, CouponEvent


def due(session: Session, event_type: str, low: datetime, high: datetime) -> list[Coupon]:
    """Live coupons whose end falls in (``low``, ``high``] and whose event is not yet out."""
    claimed = exists().where(and_(CouponEvent.coupon_id == Coupon.id,
                                  CouponEvent.event_type == event_type,
                                  CouponEvent.ends_at == Coupon.ends_at))
    return list(session.execute(
        select(Coupon).where(Coupon.ends_at.is_not(None), Coupon.ends_at > low,
                             Coupon.ends_at <= high, Coupon.active.is_(True),
                             Coupon.archived_at.is_(None), ~claimed)
        .order_by(Coupon.ends_at, Coupon.id)).scalars())


def claim(session: Session, coupon_id: int, event_type: str, ends_at: datetime,
          now: datetime) -> bool:
    """Take the event for this end date; False when another worker has it already."""
    table: Any = CouponEvent.__table__
    try:
        # A savepoint: a claim another worker has already is a unique-key error that
        # ends only this statement (psycopg gives no row count for an ignored insert).
        with session.begin_nested():
            session.execute(table.insert().values(coupon_id=coupon_id, event_type=event_type,
                                                  ends_at=ends_at, created_at=now))
    except IntegrityError:
        return False
    return True
