"""Redeem: validate again and record the redemption in one transaction.

The booking's price is the host's own, sent server to server. The coupon's
terms are read before the lock (one query, outside the critical section);
then the first statement in the lock takes the coupon's row lock (and the use,
:func:`~advik_coupons.store.redemptions.take_use`), and the booking's ledger
row is locked next (:func:`~advik_coupons.store.redemptions.lock_booking`), so
the checks that read what changes under concurrency — ``used``, the
customer's earlier redemptions, a batch code's single use, the other coupons
on the same booking — see committed data that cannot change under them. A
redemption that then fails a rule rolls its use back.

Two ways through the lock, one function each: :func:`_first_use` (a booking
that takes a use, checked by every rule) and :func:`_later_occurrence` (a
later booking of a recurring series that already took its use: checked
against the series' own terms and customer, no new use). :func:`_record`
writes what either decided. The same booking sent again answers with its
first redemption, or ``409 booking_conflict`` when its facts differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import signals
from ..domain.codes import is_valid_code, normalize_code
from ..domain.errors import Conflict, CouponRejected, InvalidRequest
from ..domain.money import TOTAL_TOO_LARGE, combined_price, total_fits
from ..domain.pricing import apply_one, line_json, remaining_after
from ..domain.rules import (
    Booking,
    Context,
    Terms,
    check_combining,
    check_continuation,
    check_terms,
    validate,
)
from ..events import emit, stage
from ..events.notices import coupon_part, redemption_data
from ..state import AppState, get_state
from ..store import history, retry, tracking
from ..store import redemptions as sql
from ..store.models import Redemption
from ..store.queries import LedgerHistory, get_coupon, load_terms, primary_code
from .context import rules_context, site_today
from .facts import given_lines, kept_terms, same_facts
from .serialize import coupon_json, redemption_json

SOURCES = ("checkout", "api", "manual")


@dataclass(frozen=True)
class RedeemResult:
    redemption: Redemption
    created: bool


@dataclass(frozen=True)
class _Decision:
    """What the lock decided for this booking: the discount, the terms kept, the use."""

    terms: Terms
    kept: dict[str, Any]
    discount: Decimal
    together: Decimal
    lines: list[dict[str, object]] | None
    consumed_use: bool
    notice_coupon: dict[str, Any]
    limit_hit: bool = False


def redeem(code: str, booking: Booking, *, source: str = "api",
           now: datetime | None = None, actor: str | None = None) -> RedeemResult:
    """Validate again and record the redemption in one transaction.

    The booking's ``subtotal`` must be the host's own trusted price. Returns the
    existing redemption (``created=False``) when this booking was already
    redeemed with this coupon and the same facts. With ``actor`` (an admin's manual
    apply) the coupon's history says who applied it. Raises :class:`CouponRejected`,
    or :class:`Conflict` (``booking_conflict``).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if not booking.booking_ref:
        raise ValueError("a redemption needs the booking's booking_ref")
    state = get_state()
    if not total_fits(booking.subtotal, state.tax_rate):
        raise InvalidRequest({"subtotal": TOTAL_TOO_LARGE})
    session = state.session
    ctx = rules_context(state, now)
    key = normalize_code(code)
    found = load_terms(session, key) if is_valid_code(key) else None
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: a read transaction that later writes can meet another one doing the
        # same and fail at once instead of waiting; MySQL reads take no locks here.
        session.rollback()
    if found is None:
        raise CouponRejected("not_found")
    terms, code_id = found
    coupon_id = terms.coupon_id
    try:
        if _used_up(terms, booking):  # refused as the lock would, without queueing for it
            check_terms(terms, booking, ctx)  # the first failing rule, in the rules' order
        result = retry.run(  # a deadlock or cluster conflict runs it again
            lambda: _redeem_locked(state, session, key, code_id, terms, booking, source, ctx,
                                   actor),
            rollback=session.rollback, what="redeem")
    except CouponRejected as rejected:
        session.rollback()
        again = sql.find_redemption(session, coupon_id, booking.booking_ref)
        if again is not None:  # this booking was redeemed before: answer with it
            return _repeat(again, booking, ctx)
        session.rollback()
        state.funnel.count(coupon_id, site_today(state, ctx.now), "redeem_" + rejected.reason)
        raise
    except IntegrityError:  # the booking was redeemed before: (coupon, booking_ref) is unique
        session.rollback()
        again = sql.find_redemption(session, coupon_id, booking.booking_ref)
        session.rollback()
        if again is None:
            raise
        return _repeat(again, booking, ctx)
    except BaseException:
        session.rollback()
        raise
    if result[0].created:
        state.terms_cache.drop(coupon_id)
        _announce(session, result[0], booking, result[1], state.currency)
    return result[0]


def _repeat(existing: Redemption, booking: Booking, ctx: Context) -> RedeemResult:
    """The same booking again: its first redemption, if the facts are the same."""
    if not same_facts(existing, booking, ctx.customer_key(booking)):
        raise Conflict("booking_conflict")
    return RedeemResult(existing, created=False)


def _used_up(terms: Terms, booking: Booking) -> bool:
    """The terms read before the lock leave this booking no use to take.

    ``used`` only goes down by a cancellation, so the answer is what the locked row
    would say a moment earlier; a booking of a series may find its use already
    held, so it always goes through the lock.
    """
    if booking.series_ref:
        return False
    return terms.code_used or (terms.max_uses is not None and terms.used >= terms.max_uses)


def _announce(session: Session, result: RedeemResult, booking: Booking,
              limit_hit: bool, currency: str) -> None:
    """``coupon_redeemed`` (and ``coupon_limit_reached``) after the commit, for listeners."""
    if not (signals.coupon_redeemed.receivers
            or (limit_hit and signals.coupon_limit_reached.receivers)):
        return  # nobody listens: no coupon to read for them
    coupon_id = result.redemption.coupon_id
    coupon_data = coupon_json(get_coupon(session, coupon_id), primary_code(session, coupon_id))
    session.rollback()
    emit(signals.coupon_redeemed, coupon=coupon_data,
         redemption=redemption_json(result.redemption, currency), booking=booking)
    if limit_hit:
        emit(signals.coupon_limit_reached, coupon=coupon_data)


def _redeem_locked(state: AppState, session: Session, key: str, code_id: int, terms: Terms,
                   booking: Booking, source: str, ctx: Context,
                   actor: str | None = None) -> tuple[RedeemResult, bool]:
    """Decide under the coupon's row lock, then record; ``terms`` were read before it."""
    assert booking.booking_ref is not None
    coupon_id = terms.coupon_id
    if booking.series_ref:  # a series may already hold its use: lock first, then look
        sql.lock_coupon(session, coupon_id)
        existing = sql.find_redemption(session, coupon_id, booking.booking_ref)
        if existing is not None:
            session.commit()
            return _repeat(existing, booking, ctx), False
        if sql.occurrence_taken(session, coupon_id, booking.series_ref, booking.occurrence,
                                booking.booking_ref):
            raise Conflict("booking_conflict")
        start = sql.series_start(session, coupon_id, booking.series_ref)
        decision = (_later_occurrence(state, session, start, booking, ctx, key)
                    if start is not None
                    else _first_use(state, session, code_id, terms, booking, ctx, key))
    else:
        # A booking sent again is not looked up inside the lock: its INSERT
        # below hits the (coupon_id, booking_ref) unique key, the transaction
        # (and the use) rolls back, and redeem() answers with the first
        # redemption; a rejection checks for one too.
        decision = _first_use(state, session, code_id, terms, booking, ctx, key)
    redemption = _record(state, session, decision, coupon_id, code_id, key, booking, source,
                         ctx, actor)
    return RedeemResult(redemption, created=True), decision.limit_hit


def _others(session: Session, booking: Booking, coupon_id: int,
            ctx: Context) -> list[Redemption]:
    """The booking's live redemptions of other coupons, which must share its facts."""
    assert booking.booking_ref is not None
    others = sql.live_on_booking(session, booking.booking_ref, other_than=coupon_id)
    key = ctx.customer_key(booking)
    if any(not same_facts(o, booking, key, series=False) for o in others):
        raise Conflict("booking_conflict")
    return others


def _later_occurrence(state: AppState, session: Session, start: Redemption,
                      booking: Booking, ctx: Context, key: str) -> _Decision:
    """A later booking of a series that took its use: the series' own terms, no new use."""
    series = kept_terms(start)
    sql.lock_booking(session, booking, ctx.customer_key(booking), ctx.now)
    others = _others(session, booking, start.coupon_id, ctx)
    check_continuation(series, start.email_key, booking, ctx)
    check_combining(series, [kept_terms(o) for o in others])
    left = remaining_after(booking, given_lines(others, booking), ctx.currency)
    applied = apply_one(series, booking, left,
                        discounted=series.discounts_occurrence(booking.occurrence, first=False),
                        currency=ctx.currency)
    return _Decision(terms=series, kept=series.kept(), discount=applied.discount,
                     together=applied.discount + sum((o.discount for o in others), Decimal(0)),
                     lines=line_json(booking, applied, ctx.currency) if booking.items else None,
                     consumed_use=False, notice_coupon=coupon_part(start.coupon_id, key))


def _first_use(state: AppState, session: Session, code_id: int, terms: Terms,
               booking: Booking, ctx: Context, key: str) -> _Decision:
    """Take a use under the lock and check every rule with what the locked row says."""
    coupon_id = terms.coupon_id
    taken = sql.take_use(session, coupon_id)
    sql.lock_booking(session, booking, ctx.customer_key(booking), ctx.now)
    others = _others(session, booking, coupon_id, ctx)
    history = LedgerHistory(session, coupon_id, exclude_booking_ref=booking.booking_ref,
                            lookup=state.customer_lookup)
    # ``used`` as the locked row has it: below the limit when the use was taken, at
    # it otherwise (so the rules name the first failing reason in their order).
    validate(replace(terms, used=0 if taken else (terms.max_uses or 0)), booking, ctx, history,
             [kept_terms(o) for o in others])
    if not taken:
        if terms.max_uses is None:  # the row went away after the terms were read
            raise CouponRejected("not_found")
        raise CouponRejected("usage_limit_reached")
    if terms.code_single_use and not sql.claim_code(session, code_id, ctx.now):
        raise CouponRejected("usage_limit_reached")
    used_after: int | None = None
    if terms.max_uses is not None or state.channels:
        used_after = sql.used_now(session, coupon_id)
    discounted = (terms.discounts_occurrence(booking.occurrence, first=True)
                  if booking.series_ref else True)
    left = remaining_after(booking, given_lines(others, booking), ctx.currency)
    applied = apply_one(terms, booking, left,
                        discounted=discounted, currency=ctx.currency)
    return _Decision(
        terms=terms, kept=terms.kept(), discount=applied.discount,
        together=applied.discount + sum((o.discount for o in others), Decimal(0)),
        lines=line_json(booking, applied, ctx.currency) if booking.items else None,
        consumed_use=True,
        notice_coupon=coupon_part(coupon_id, key, terms, used_after),
        limit_hit=terms.max_uses is not None and (used_after or 0) >= terms.max_uses)


def _record(state: AppState, session: Session, decision: _Decision, coupon_id: int,
            code_id: int, key: str, booking: Booking, source: str, ctx: Context,
            actor: str | None = None) -> Redemption:
    """Write the redemption, the rollup and the notices; commit."""
    assert booking.booking_ref is not None
    amounts = combined_price(booking.subtotal, decision.discount, decision.together,
                             state.tax_rate, state.currency)
    terms = decision.terms
    redemption = Redemption(
        coupon_id=coupon_id, code_id=code_id, code=key, booking_ref=booking.booking_ref,
        series_ref=booking.series_ref, occurrence=booking.occurrence, email=booking.email,
        email_key=ctx.customer_key(booking), booking_date=booking.booking_date,
        booking_time=booking.booking_time, booking_type=booking.booking_type,
        items=decision.lines, subtotal=amounts.subtotal, discount=amounts.discount,
        tax=amounts.tax, total=amounts.total, discount_type=terms.discount_type,
        discount_value=terms.discount_value, recurring_scope=terms.recurring_scope,
        kept_terms=decision.kept, consumed_use=decision.consumed_use, status="redeemed",
        source=source, created_at=ctx.now.replace(microsecond=0))  # as every database keeps it
    session.add(redemption)
    session.flush()
    tracking.record_redemption(session, redemption)
    if actor is not None:
        history.record(session, coupon_id, actor, "manual_apply",
                       {"booking_ref": [None, redemption.booking_ref],
                        "discount": [None, str(redemption.discount)]}, now=ctx.now)
    notice = redemption_data(redemption, state.currency, decision.notice_coupon)
    stage(session, state.channels, "coupon.redeemed", notice, coupon_id=coupon_id)
    if decision.limit_hit:
        stage(session, state.channels, "coupon.limit_reached", notice, coupon_id=coupon_id)
    session.flush()
    session.expunge(redemption)  # stays loaded after the commit: no re-read to answer
    session.commit()
    return redemption
