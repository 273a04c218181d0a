"""Bulk actions of the coupon list: activate, deactivate or archive many coupons.

Each coupon goes through the same service as one at a time (its own
transaction, history line and notice), so a bulk change is exactly the sum
of the single ones; a coupon the action does not fit (an archived one to
activate) is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.errors import NotFound
from ..state import get_state
from ..store.models import Coupon
from . import coupons

ACTIONS: tuple[str, ...] = ("activate", "deactivate", "archive")
MAX_BULK = 500


@dataclass(frozen=True)
class BulkResult:
    changed: int
    skipped: int


def apply_bulk(action: str, coupon_ids: Iterable[int], *, actor: str) -> BulkResult:
    """Run ``action`` on each coupon; ``ValueError`` for an unknown action."""
    if action not in ACTIONS:
        raise ValueError(f"the action must be one of {', '.join(ACTIONS)}")
    session = get_state().session
    changed = skipped = 0
    for coupon_id in dict.fromkeys(coupon_ids):
        coupon = session.get(Coupon, coupon_id, populate_existing=True)
        if coupon is None:
            raise NotFound("coupon", coupon_id)
        wanted = action == "activate"
        if coupon.archived_at is not None or (action != "archive" and coupon.active == wanted):
            skipped += 1
            continue
        if action == "archive":
            coupons.delete_coupon(coupon_id, actor=actor, keep=True)
        else:
            coupons.set_active(coupon_id, wanted, actor=actor)
        changed += 1
    return BulkResult(changed, skipped)
