"""Redeem: validate again and record the redemption in one transaction.

The booking's price is the host's own, sent server to server. The coupon's
terms are read before the lock (one query, outside the critical section);
then the first statement in the lock is :func:`~advik_coupons.store.redemptions.take_use`,
which takes the use and the coupon's row lock at once, so the checks that
read what changes under concurrency — ``used``, the customer's earlier
redemptions, a batch code's single use — see committed data that cannot
change under them. A redemption that then fails a rule rolls its use back.

Two ways through the lock, one function each: :func:`_first_use` (a booking
that takes a use, validated by every rule) and :func:`_later_occurrence` (a
later booking of a recurring series that already took its use: the series'
own terms, no new use). :func:`_record` writes what either decided.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import signals
from ..domain.codes import normalize_code
from ..domain.errors import CouponRejected
from ..domain.money import discount_amount, price
from ..domain.rules import Booking, Context, Terms, validate
from ..events import emit, stage
from ..events.notices import coupon_part, redemption_data
from ..state import AppState, get_state
from ..store import redemptions as sql
from ..store import tracking
from ..store.models import Redemption
from ..store.queries import LedgerHistory, get_coupon, load_terms, primary_code
from .context import rules_context, site_today
from .serialize import coupon_json, redemption_json

SOURCES = ("checkout", "api", "manual")


@dataclass(frozen=True)
class RedeemResult:
    redemption: Redemption
    created: bool


@dataclass(frozen=True)
class _Decision:
    """What the lock decided for this booking: the discount, the terms kept, the use."""

    discount: Decimal
    discount_type: str
    discount_value: Decimal
    recurring_scope: str
    consumed_use: bool
    notice_coupon: dict[str, Any]
    limit_hit: bool = False


def redeem(code: str, booking: Booking, *, source: str = "api",
           now: datetime | None = None) -> RedeemResult:
    """Validate again and record the redemption in one transaction.

    The booking's ``subtotal`` must be the host's own trusted price. Returns the
    existing redemption (``created=False``) when this booking was already
    redeemed with this coupon. Raises :class:`CouponRejected`.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if not booking.booking_ref:
        raise ValueError("a redemption needs the booking's booking_ref")
    state = get_state()
    session = state.session
    ctx = rules_context(state, now)
    key = normalize_code(code)
    found = load_terms(session, key)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: a read transaction that later writes can meet another one doing the
        # same and fail at once instead of waiting; MySQL reads take no locks here.
        session.rollback()
    if found is None:
        raise CouponRejected("not_found")
    terms, code_id = found
    coupon_id = terms.coupon_id
    try:
        result, limit_hit = _redeem_locked(state, session, key, code_id, terms, booking,
                                           source, ctx)
    except CouponRejected as rejected:
        session.rollback()
        again = sql.find_redemption(session, coupon_id, booking.booking_ref)
        if again is not None:  # this booking was redeemed before: answer with it
            return RedeemResult(again, created=False)
        session.rollback()
        state.funnel.count(coupon_id, site_today(state, ctx.now), "redeem_" + rejected.reason)
        raise
    except IntegrityError:  # the booking was redeemed before: (coupon, booking_ref) is unique
        session.rollback()
        again = sql.find_redemption(session, coupon_id, booking.booking_ref)
        session.rollback()
        if again is None:
            raise
        return RedeemResult(again, created=False)
    except BaseException:
        session.rollback()
        raise
    if result.created:
        state.terms_cache.drop(coupon_id)
        _announce(state, session, result, booking, limit_hit)
    return result


def _announce(state: AppState, session: Session, result: RedeemResult, booking: Booking,
              limit_hit: bool) -> None:
    """``coupon_redeemed`` (and ``coupon_limit_reached``) after the commit, for listeners."""
    if not (signals.coupon_redeemed.receivers
            or (limit_hit and signals.coupon_limit_reached.receivers)):
        return  # nobody listens: no coupon to read for them
    coupon_id = result.redemption.coupon_id
    coupon_data = coupon_json(get_coupon(session, coupon_id), primary_code(session, coupon_id))
    session.rollback()
    emit(signals.coupon_redeemed, coupon=coupon_data,
         redemption=redemption_json(result.redemption), booking=booking)
    if limit_hit:
        emit(signals.coupon_limit_reached, coupon=coupon_data)


def _redeem_locked(state: AppState, session: Session, key: str, code_id: int, terms: Terms,
                   booking: Booking, source: str, ctx: Context) -> tuple[RedeemResult, bool]:
    """Decide under the coupon's row lock, then record; ``terms`` were read before it."""
    assert booking.booking_ref is not None
    coupon_id = terms.coupon_id
    if booking.series_ref and booking.occurrence >= 1:  # may consume no use: lock only
        sql.lock_coupon(session, coupon_id)
        existing = sql.find_redemption(session, coupon_id, booking.booking_ref)
        if existing is not None:
            session.commit()
            return RedeemResult(existing, created=False), False
        start = sql.series_start(session, coupon_id, booking.series_ref)
        decision = (_later_occurrence(start, booking, coupon_id, key) if start is not None
                    else _first_use(state, session, code_id, terms, booking, ctx, key))
    else:
        # A booking sent again is not looked up inside the lock: its INSERT
        # below hits the (coupon_id, booking_ref) unique key, the transaction
        # (and the use) rolls back, and redeem() answers with the first
        # redemption; a rejection checks for one too.
        decision = _first_use(state, session, code_id, terms, booking, ctx, key)
    redemption = _record(state, session, decision, coupon_id, code_id, key, booking, source,
                         ctx)
    return RedeemResult(redemption, created=True), decision.limit_hit


def _later_occurrence(start: Redemption, booking: Booking, coupon_id: int,
                      key: str) -> _Decision:
    """A later booking of a series that took its use: the series' own terms, no new use."""
    discount = (discount_amount(start.discount_type, start.discount_value, booking.subtotal)
                if start.recurring_scope == "all" else Decimal("0"))
    return _Decision(discount=discount, discount_type=start.discount_type,
                     discount_value=start.discount_value,
                     recurring_scope=start.recurring_scope, consumed_use=False,
                     notice_coupon=coupon_part(coupon_id, key))


def _first_use(state: AppState, session: Session, code_id: int, terms: Terms,
               booking: Booking, ctx: Context, key: str) -> _Decision:
    """Take a use under the lock and check every rule with what the locked row says."""
    coupon_id = terms.coupon_id
    taken = sql.take_use(session, coupon_id)
    history = LedgerHistory(session, coupon_id, exclude_booking_ref=booking.booking_ref,
                            lookup=state.customer_lookup)
    # ``used`` as the locked row has it: below the limit when the use was taken, at
    # it otherwise (so the rules name the first failing reason in their order).
    validate(replace(terms, used=0 if taken else (terms.max_uses or 0)), booking, ctx, history)
    if not taken:
        if terms.max_uses is None:  # the row went away after the terms were read
            raise CouponRejected("not_found")
        raise CouponRejected("usage_limit_reached")
    if terms.code_single_use and not sql.claim_code(session, code_id, ctx.now):
        raise CouponRejected("usage_limit_reached")
    used_after: int | None = None
    if terms.max_uses is not None or state.channels:
        used_after = sql.used_now(session, coupon_id)
    return _Decision(
        discount=discount_amount(terms.discount_type, terms.discount_value, booking.subtotal),
        discount_type=terms.discount_type, discount_value=terms.discount_value,
        recurring_scope=terms.recurring_scope, consumed_use=True,
        notice_coupon=coupon_part(coupon_id, key, terms, used_after),
        limit_hit=terms.max_uses is not None and (used_after or 0) >= terms.max_uses)


def _record(state: AppState, session: Session, decision: _Decision, coupon_id: int,
            code_id: int, key: str, booking: Booking, source: str, ctx: Context) -> Redemption:
    """Write the redemption, the ledger row, the rollup and the notices; commit."""
    assert booking.booking_ref is not None
    amounts = price(booking.subtotal, decision.discount, state.tax_rate)
    redemption = Redemption(
        coupon_id=coupon_id, code_id=code_id, code=key, booking_ref=booking.booking_ref,
        series_ref=booking.series_ref, occurrence=booking.occurrence, email=booking.email_key,
        booking_date=booking.booking_date, booking_type=booking.booking_type,
        subtotal=amounts.subtotal, discount=amounts.discount, tax=amounts.tax,
        total=amounts.total, discount_type=decision.discount_type,
        discount_value=decision.discount_value, recurring_scope=decision.recurring_scope,
        consumed_use=decision.consumed_use, status="redeemed", source=source,
        created_at=ctx.now)
    session.add(redemption)
    sql.record_ledger(session, booking, ctx.now)
    session.flush()
    tracking.record_redemption(session, redemption)
    notice = redemption_data(redemption, state.currency, decision.notice_coupon)
    stage(session, state.channels, "coupon.redeemed", notice, coupon_id=coupon_id)
    if decision.limit_hit:
        stage(session, state.channels, "coupon.limit_reached", notice, coupon_id=coupon_id)
    session.flush()
    session.expunge(redemption)  # stays loaded after the commit: no re-read to answer
    session.commit()
    return redemption
