"""Amend: a rescheduled or repriced booking keeps its redemption, checked again.

``PATCH /api/v1/redemptions/<id>`` sends the booking's new facts (subtotal or
lines, e-mail, date, time, type). Under the coupon's lock the coupon is
validated again with them — the redemption keeps the use it holds, so it is
not counted against ``max_uses`` or the customer's own limit — and the
redemption, the tracking rollup and the ledger booking are updated in the
same transaction, then ``coupon_redemption_amended`` is sent. A refused
amend raises the rule's :class:`CouponRejected` and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from .. import signals
from ..domain.errors import Conflict, CouponRejected, InvalidRequest, NotFound
from ..domain.money import TOTAL_TOO_LARGE, combined_price, total_fits
from ..domain.pricing import apply_one, line_json, remaining_after
from ..domain.rules import Booking, Context, Terms, check_combining, check_continuation, validate
from ..events import emit, stage
from ..events.notices import coupon_part, redemption_data
from ..state import AppState, get_state
from ..store import redemptions as sql
from ..store import retry, tracking
from ..store.models import Redemption
from ..store.queries import LedgerHistory, get_coupon, load_terms, primary_code
from .context import rules_context
from .facts import given_lines, kept_terms, same_facts
from .serialize import coupon_json, redemption_json

AMENDED_FIELDS = ("subtotal", "discount", "tax", "total", "email", "booking_date",
                  "booking_time", "booking_type", "items")


def amend(redemption_id: int, booking: Booking, *,
          now: datetime | None = None) -> tuple[Redemption, bool]:
    """Re-validate and re-price a redemption with its booking's new facts.

    Returns the redemption and whether it changed. :class:`NotFound`,
    :class:`Conflict` (``cancelled``; ``booking_conflict`` when another coupon was
    redeemed on the booking after it) or :class:`CouponRejected`.
    """
    state = get_state()
    if not total_fits(booking.subtotal, state.tax_rate):
        raise InvalidRequest({"subtotal": TOTAL_TOO_LARGE})
    session = state.session
    ctx = rules_context(state, now)
    row = session.get(Redemption, redemption_id)
    if row is None:
        raise NotFound("redemption", redemption_id)
    booking = replace(booking, booking_ref=row.booking_ref, series_ref=row.series_ref,
                      occurrence=row.occurrence)
    found = load_terms(session, row.code)
    coupon_id = row.coupon_id
    session.rollback()

    def locked() -> tuple[Redemption, dict[str, Any] | None]:
        sql.lock_coupon(session, coupon_id)
        current = sql.read_redemption(session, redemption_id)
        assert current is not None
        if current.status != "redeemed":
            raise Conflict("cancelled")
        if same_facts(current, booking, ctx.customer_key(booking)):
            session.commit()
            return current, None
        before = redemption_json(current, state.currency)
        _reprice(state, current, booking, found[0] if found else None, ctx)
        session.flush()
        stage(session, state.channels, "coupon.redemption_amended",
              redemption_data(current, state.currency, coupon_part(coupon_id, current.code)),
              coupon_id=coupon_id)
        session.flush()
        session.expunge(current)
        session.commit()
        return current, before

    try:
        current, before = retry.run(locked, rollback=session.rollback, what="amend")
    except BaseException:
        session.rollback()
        raise
    if before is None:
        return current, False
    state.terms_cache.drop(coupon_id)
    after = redemption_json(current, state.currency)
    changes = {k: [before.get(k), after.get(k)] for k in AMENDED_FIELDS
               if before.get(k) != after.get(k)}
    coupon_data = coupon_json(get_coupon(session, coupon_id), primary_code(session, coupon_id))
    session.rollback()
    emit(signals.coupon_redemption_amended, coupon=coupon_data, redemption=after,
         changes=changes)
    return current, True


def _reprice(state: AppState, current: Redemption, booking: Booking, terms: Terms | None,
             ctx: Context) -> None:
    """Check the rules again with the new facts and write the new amounts (in the lock)."""
    session = state.session
    assert booking.booking_ref is not None
    if sql.later_on_booking(session, booking.booking_ref, current.id):
        raise Conflict("booking_conflict", "Another coupon was redeemed on this booking after "
                                           "this one: cancel that one first.")
    key = ctx.customer_key(booking)
    sql.lock_booking(session, booking, key, ctx.now)
    others = [o for o in sql.live_on_booking(session, booking.booking_ref,
                                             other_than=current.coupon_id) if o.id < current.id]
    if current.consumed_use:
        if terms is None:
            raise CouponRejected("not_found")
        # It holds one use and (for a batch code) the code: they are its own.
        held = replace(terms, used=sql.used_now(session, current.coupon_id) - 1,
                       code_used=False)
        history = LedgerHistory(session, current.coupon_id,
                                exclude_booking_ref=booking.booking_ref,
                                exclude_redemption=current.id, lookup=state.customer_lookup)
        priced = validate(held, booking, ctx, history, [kept_terms(o) for o in others])
        discounted = (priced.discounts_occurrence(booking.occurrence, first=True)
                      if booking.series_ref else True)
        kept: Any = priced.kept()
    else:
        assert booking.series_ref is not None
        start = sql.series_start(session, current.coupon_id, booking.series_ref)
        priced = kept_terms(start if start is not None else current)
        check_continuation(priced, (start or current).email_key, booking, ctx)
        check_combining(priced, [kept_terms(o) for o in others])
        discounted = priced.discounts_occurrence(booking.occurrence, first=False)
        kept = current.kept_terms
    left = remaining_after(booking, given_lines(others, booking), ctx.currency)
    applied = apply_one(priced, booking, left,
                        discounted=discounted, currency=ctx.currency)
    together = applied.discount + sum((Decimal(o.discount) for o in others), Decimal(0))
    amounts = combined_price(booking.subtotal, applied.discount, together, state.tax_rate,
                             state.currency)
    old_subtotal, old_discount = Decimal(current.subtotal), Decimal(current.discount)
    current.subtotal, current.discount = amounts.subtotal, amounts.discount
    current.tax, current.total = amounts.tax, amounts.total
    current.email, current.email_key = booking.email, key
    current.booking_date, current.booking_time = booking.booking_date, booking.booking_time
    current.booking_type = booking.booking_type
    current.items = line_json(booking, applied, ctx.currency) if booking.items else None
    current.kept_terms = kept
    tracking.record_amendment(session, current, old_subtotal, old_discount)
    sql.update_ledger(session, booking, key)
