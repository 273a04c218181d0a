"""Quote: validate a code against a booking and price it; nothing is consumed.

A quote is a preview (the customer clicked Apply), so it may read a coupon's
terms through the short per-process :class:`~advik_coupons.store.terms_cache.TermsCache`;
redeem never does. Every quote is counted in the funnel (``tried`` and then
``applied`` or the reason) and signalled (``coupon_applied`` or
``coupon_rejected``); a code that cannot exist is answered ``not_found``
without a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import signals
from ..domain.codes import is_valid_code, normalize_code
from ..domain.errors import CouponRejected
from ..domain.messages import APPLIED
from ..domain.money import Price, discount_amount, price
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

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"valid": True, "code": self.terms.code, "message": APPLIED,
                                **self.price.as_json(), "currency": self.currency}
        if self.booking.booking_type == "recurring":
            body["recurring_scope"] = self.terms.recurring_scope
        return body


def record_rejection(state: AppState, code: str, booking: Booking, rejected: CouponRejected,
                     coupon_id: int | None, now: datetime | None = None) -> None:
    """Count a rejected try in the funnel and send ``coupon_rejected``."""
    state.funnel.count(coupon_id, site_today(state, now), "tried", rejected.reason)
    emit(signals.coupon_rejected, code=code, reason=rejected.reason, message=rejected.message,
         booking=booking, coupon_id=coupon_id)


def _cached_terms(state: AppState, key: str) -> Terms | None:
    cached = state.terms_cache.get(key)
    if not is_missing(cached):
        return cached  # type: ignore[return-value]
    with state.engine.connect() as connection:  # a Core read: half the cost of the ORM's
        found = load_terms(connection, key)
    terms = found[0] if found else None
    state.terms_cache.put(key, terms)
    return terms


def quote(code: str, booking: Booking, *, now: datetime | None = None) -> Quote:
    """Validate and price; consumes nothing. Raises :class:`CouponRejected`."""
    state = get_state()
    ctx = rules_context(state, now)
    key = normalize_code(code)
    if not is_valid_code(key):
        rejected = CouponRejected("not_found")
        record_rejection(state, key, booking, rejected, None, ctx.now)
        raise rejected
    terms = _cached_terms(state, key)
    coupon_id = terms.coupon_id if terms else None
    try:
        history = LedgerHistory(lambda: state.session, coupon_id or 0,
                                lookup=state.customer_lookup)
        checked = validate(terms, booking, ctx, history)
    except CouponRejected as rejected:
        record_rejection(state, key, booking, rejected, coupon_id, ctx.now)
        raise
    finally:
        if state.sessions.registry.has():  # a cached, unconditional quote opened none
            state.session.rollback()  # end the read transaction; nothing was written
    discount = discount_amount(checked.discount_type, checked.discount_value, booking.subtotal)
    result = Quote(checked, booking, price(booking.subtotal, discount, state.tax_rate),
                   state.currency)
    state.funnel.count(coupon_id, site_today(state, ctx.now), "tried", "applied")
    emit(signals.coupon_applied, coupon={"id": checked.coupon_id, "code": checked.code},
         code=checked.code, booking=booking, price=result.price)
    stage_applied(state, checked, booking, result.price)
    return result
