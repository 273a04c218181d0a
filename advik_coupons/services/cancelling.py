"""Cancel: a booking cancelled or refunded gives its use back, exactly once.

The redemption is marked ``cancelled`` under the coupon's row lock, ``used``
goes down by one (never below zero, never twice), a single-use batch code is
free again, the ledger booking is cancelled (unless another coupon's live
redemption still holds it), the rollup leaves it out, and
``coupon_released`` is sent after the commit; the coupon's history says who cancelled.
"""

from __future__ import annotations

from datetime import datetime

from .. import signals
from ..domain.errors import NotFound
from ..events import emit, stage
from ..events.notices import coupon_part, redemption_data
from ..state import get_state
from ..store import history, retry, tracking
from ..store import redemptions as sql
from ..store.models import Redemption, utcnow
from ..store.queries import get_coupon, primary_code
from .serialize import coupon_json, redemption_json


def cancel(redemption_id: int, *, now: datetime | None = None,
           actor: str = "api") -> tuple[Redemption, bool]:
    """Mark a redemption cancelled and give its use back, exactly once.

    Returns the redemption and whether this call changed it; :class:`NotFound`
    when there is no such redemption.
    """
    state = get_state()
    session = state.session
    moment = (now or utcnow()).replace(microsecond=0)
    row = session.get(Redemption, redemption_id)
    if row is None:
        raise NotFound("redemption", redemption_id)
    coupon_id = row.coupon_id
    session.rollback()

    def locked() -> tuple[bool, Redemption]:
        sql.lock_coupon(session, coupon_id)
        changed = sql.mark_cancelled(session, redemption_id, moment)
        redemption = sql.read_redemption(session, redemption_id)
        assert redemption is not None
        if changed and redemption.consumed_use:
            sql.give_back_use(session, coupon_id)
            if redemption.code_id is not None:
                sql.free_code(session, redemption.code_id)
        if changed:
            tracking.record_cancellation(session, redemption)
            sql.keep_ledger_if_live(session, redemption.booking_ref)
            history.record(session, coupon_id, actor, "cancelled",
                           {"booking_ref": [redemption.booking_ref, None],
                            "status": ["redeemed", "cancelled"]}, now=moment)
            stage(session, state.channels, "coupon.released",
                  redemption_data(redemption, state.currency,
                                  coupon_part(coupon_id, redemption.code)),
                  coupon_id=coupon_id)
        session.commit()
        return changed, redemption

    try:
        changed, redemption = retry.run(locked, rollback=session.rollback, what="cancel")
    except BaseException:
        session.rollback()
        raise
    if changed:
        state.terms_cache.drop(coupon_id)
        coupon_data = coupon_json(get_coupon(session, coupon_id), primary_code(session, coupon_id))
        data = redemption_json(redemption, state.currency)
        session.rollback()
        emit(signals.coupon_released, coupon=coupon_data, redemption=data)
    return redemption, changed
