"""Quote: validate a code against a booking and price it; nothing is consumed.

A quote is a preview (the customer clicked Apply), so it may read a coupon's
terms through the short per-process :class:`~advik_coupons.store.terms_cache.TermsCache`;
redeem never does. Every quote is counted in the funnel (``tried`` and then
``applied`` or the reason) and signalled (``coupon_applied`` or
``coupon_rejected``); a code that cannot exist is answered ``not_found``
without a lookup. With ``other_codes`` (the codes already applied to the
booking) the answer's ``discount`` is this coupon's own share and ``total``
the booking's total after all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import signals
from ..domain.codes import is_valid_code, normalize_code
from ..domain.errors import CouponRejected
from ..domain.messages import APPLIED
from ..domain.money import Price, combined_price
from ..domain.pricing import Applied, line_json, price_stack
from ..domain.rules import Booking, Terms, validate
from ..events import emit
from ..events.notices import stage_applied
from ..state import AppState, get_state
from ..store.queries import LedgerHistory, load_terms
from ..store.terms_cache import is_missing
from .context import rules_context, site_today


@dataclass(frozen=True)
class Quote:
    terms: Terms
    booking: Booking
    price: Price
    currency: str
    applied: Applied | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"valid": True, "code": self.terms.code, "message": APPLIED,
                                **self.price.as_json(), "currency": self.currency}
        if self.booking.booking_type == "recurring":
            body["recurring_scope"] = self.terms.recurring_scope
            if self.terms.recurring_scope == "first_n":
                body["recurring_occurrences"] = self.terms.recurring_occurrences
        if self.booking.items and self.applied is not None:
            body["items"] = line_json(self.booking, self.applied, self.currency)
        return body


def record_rejection(state: AppState, code: str, booking: Booking, rejected: CouponRejected,
                     coupon_id: int | None, now: datetime | None = None) -> None:
    """Count a rejected try in the funnel and send ``coupon_rejected``."""
    state.funnel.count(coupon_id, site_today(state, now), "tried", rejected.reason)
    emit(signals.coupon_rejected, code=code, reason=rejected.reason, message=rejected.message,
         booking=booking, coupon_id=coupon_id)


def cached_terms(state: AppState, key: str) -> Terms | None:
    """A code's terms through the per-process cache (quotes and links only, never redeem)."""
    cached = state.terms_cache.get(key)
    if not is_missing(cached):
        return cached  # type: ignore[return-value]
    with state.engine.connect() as connection:  # a Core read: half the cost of the ORM's
        found = load_terms(connection, key)
    terms = found[0] if found else None
    state.terms_cache.put(key, terms)
    return terms


def _others(state: AppState, booking: Booking, key: str) -> list[Terms]:
    """The coupons already applied to the booking (``other_codes``) that exist, in order."""
    found: list[Terms] = []
    for raw in booking.other_codes:
        other = normalize_code(raw)
        if other == key or not is_valid_code(other):
            continue
        terms = cached_terms(state, other)
        if terms is not None and terms.active and not terms.archived:
            found.append(terms)
    return found


def quote(code: str, booking: Booking, *, now: datetime | None = None,
          counted: bool = True, customer_history: bool = True) -> Quote:
    """Validate and price; consumes nothing. Raises :class:`CouponRejected`.

    ``customer_history=False`` (the anonymous payment step) skips the rules that
    ask the customer's past bookings, so nobody learns who booked before; the
    redemption still checks them.

    ``counted=False`` (an admin's preview before a manual apply) leaves the funnel
    and the signals out: no customer tried anything.
    """
    state = get_state()
    ctx = rules_context(state, now)
    key = normalize_code(code)
    if not is_valid_code(key):
        rejected = CouponRejected("not_found")
        if counted:
            record_rejection(state, key, booking, rejected, None, ctx.now)
        raise rejected
    terms = cached_terms(state, key)
    coupon_id = terms.coupon_id if terms else None
    others = _others(state, booking, key)
    try:
        history = LedgerHistory(lambda: state.session, coupon_id or 0,
                                lookup=state.customer_lookup)
        checked = validate(terms, booking, ctx, history, others,
                           customer_history=customer_history)
    except CouponRejected as rejected:
        if counted:
            record_rejection(state, key, booking, rejected, coupon_id, ctx.now)
        raise
    finally:
        if state.sessions.registry.has():  # a cached, unconditional quote opened none
            state.session.rollback()  # end the read transaction; nothing was written
    discounted = (checked.discounts_occurrence(booking.occurrence, first=True)
                  if booking.series_ref else True)
    mine, together = price_stack(booking, others, checked, discounted=discounted,
                                 currency=state.currency)
    amounts = combined_price(booking.subtotal, mine.discount, together, state.tax_rate,
                             state.currency)
    result = Quote(checked, booking, amounts, state.currency, mine)
    if not counted:
        return result
    state.funnel.count(coupon_id, site_today(state, ctx.now), "tried", "applied")
    emit(signals.coupon_applied, coupon={"id": checked.coupon_id, "code": checked.code},
         code=checked.code, booking=booking, price=result.price)
    stage_applied(state, checked, booking, result.price)
    return result

