"""A coupon's history: one row per change, written in the change's own transaction.

The services that change coupons call :func:`record` before they commit, so a
change and its history line are kept or lost together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import CouponHistory, utcnow

#: Fields a change never reports (they move with every change).
UNTRACKED = frozenset({"updated_at"})


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Per changed field, ``[before, after]`` of two wire images of a coupon."""
    return {k: [before.get(k), after[k]] for k in after
            if k not in UNTRACKED and before.get(k) != after[k]}


def record(session: Session, coupon_id: int, actor: str, action: str,
           changes: dict[str, Any] | None = None, *, now: datetime | None = None) -> None:
    """Add one history line (flushed with the caller's transaction, not committed)."""
    session.add(CouponHistory(coupon_id=coupon_id, actor=actor[:300], action=action,
                              changes=changes or None,
                              created_at=(now or utcnow()).replace(microsecond=0)))


def coupon_history(session: Session, coupon_id: int, *, offset: int = 0,
                   limit: int = 100) -> list[CouponHistory]:
    """The coupon's history, newest first."""
    return list(session.execute(
        select(CouponHistory).where(CouponHistory.coupon_id == coupon_id)
        .order_by(CouponHistory.id.desc()).offset(offset).limit(limit)).scalars())


def history_count(session: Session, coupon_id: int) -> int:
    return int(session.execute(select(func.count(CouponHistory.id))
                               .where(CouponHistory.coupon_id == coupon_id)).scalar_one())
