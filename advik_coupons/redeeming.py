"""Quote, redeem, cancel and the booking ledger (DESIGN §3).

The rules are in :mod:`advik_coupons.rules`; this module gives them the facts
from the database and records the outcome. Limits hold under concurrency
because a redemption first takes the coupon's row lock and only then reads
the counts it checks (an ``UPDATE`` of the row, which serialises writers on
MySQL/MariaDB and SQLite alike): the first statement is the conditional
``UPDATE … SET used = used + 1 WHERE used < max_uses`` that takes the use and
the lock at once, and a redemption that then fails its checks rolls it back.
The coupon's terms are read before the lock (one query, outside the critical
section); the lock guards what changes under concurrency — ``used``, the
customer's earlier redemptions, a batch code's single use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import abort
from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import signals, tracking
from .errors import CouponRejected
from .events import emit, stage
from .extension import AppState, get_state
from .models import Coupon, CouponCode, LedgerBooking, Redemption, utcnow
from .money import Price, discount_amount, price
from .notices import coupon_part, redemption_data, stage_applied
from .queries import LedgerHistory, get_coupon, load_terms, primary_code
from .rules import Booking, Context, Terms, normalize_code, validate
from .serialize import coupon_json, redemption_json
from .terms_cache import is_missing

SOURCES = ("checkout", "api", "manual")


@dataclass(frozen=True)
class Quote:
    terms: Terms
    booking: Booking
    price: Price
    currency: str

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"valid": True, "code": self.terms.code,
                                "message": "Coupon applied", **self.price.as_json(),
                                "currency": self.currency}
        if self.booking.booking_type == "recurring":
            body["recurring_scope"] = self.terms.recurring_scope
        return body


@dataclass(frozen=True)
class RedeemResult:
    redemption: Redemption
    created: bool


def _context(state: AppState, now: datetime | None) -> Context:
    return Context(now=now or datetime.now(UTC), tz=state.tz, currency=state.currency)


def _today(state: AppState, now: datetime) -> date:
    return now.astimezone(state.tz).date()


def quote(code: str, booking: Booking, *, now: datetime | None = None) -> Quote:
    """Validate and price; consumes nothing. Raises :class:`CouponRejected`."""
    state = get_state()
    ctx = _context(state, now)
    key = normalize_code(code)
    cached = state.terms_cache.get(key)
    if is_missing(cached):
        with state.engine.connect() as connection:  # a Core read: half the cost of the ORM's
            found = load_terms(connection, key)
        terms = found[0] if found else None
        state.terms_cache.put(key, terms)
    else:
        terms = cached  # type: ignore[assignment]
    coupon_id = terms.coupon_id if terms else None
    try:
        history = LedgerHistory(lambda: state.session, coupon_id or 0,
                                lookup=state.customer_lookup)
        checked = validate(terms, booking, ctx, history)
    except CouponRejected as rejected:
        state.funnel.count(coupon_id, _today(state, ctx.now), "tried", rejected.reason)
        emit(signals.coupon_rejected, code=key, reason=rejected.reason,
             message=rejected.message, booking=booking, coupon_id=coupon_id)
        raise
    finally:
        if state.sessions.registry.has():  # a cached, unconditional quote opened none
            state.session.rollback()  # end the read transaction; nothing was written
    result = Quote(checked, booking,
                   price(booking.subtotal, discount_amount(
                       checked.discount_type, checked.discount_value, booking.subtotal),
                       state.tax_rate), state.currency)
    state.funnel.count(coupon_id, _today(state, ctx.now), "tried", "applied")
    emit(signals.coupon_applied, coupon={"id": checked.coupon_id, "code": checked.code},
         code=checked.code, booking=booking, price=result.price)
    stage_applied(state, checked, booking, result.price)
    return result


def _lock_coupon(session: Session, coupon_id: int) -> None:
    """Take the coupon's row lock for the rest of the transaction."""
    session.execute(update(Coupon).where(Coupon.id == coupon_id).values(used=Coupon.used)
                    .execution_options(synchronize_session=False))


@functools.cache
def _take_use_statement() -> Any:
    """``used = used + 1`` while below ``max_uses``: built once, the id bound per call."""
    return (update(Coupon)
            .where(Coupon.id == bindparam("coupon_id"),
                   or_(Coupon.max_uses.is_(None), Coupon.used < Coupon.max_uses))
            .values(used=Coupon.used + 1).execution_options(synchronize_session=False))


def _take_use(session: Session, coupon_id: int) -> bool:
    """Count one use if the coupon has one left; either way its row lock is held after."""
    taken = session.execute(_take_use_statement(), {"coupon_id": coupon_id})
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return True
    _lock_coupon(session, coupon_id)
    return False


def _existing(session: Session, coupon_id: int, booking_ref: str) -> Redemption | None:
    return session.execute(
        select(Redemption).where(Redemption.coupon_id == coupon_id,
                                 Redemption.booking_ref == booking_ref)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def _series_start(session: Session, coupon_id: int, series_ref: str) -> Redemption | None:
    return session.execute(
        select(Redemption).where(Redemption.coupon_id == coupon_id,
                                 Redemption.series_ref == series_ref,
                                 Redemption.status == "redeemed",
                                 Redemption.consumed_use.is_(True))
        .order_by(Redemption.occurrence).limit(1)).scalar_one_or_none()


@functools.cache
def _ledger_insert(dialect: str) -> Any:
    """Add a booking to the ledger unless its booking_ref is there: one statement."""
    table: Table = LedgerBooking.__table__  # type: ignore[assignment]
    if dialect in {"mysql", "mariadb"}:
        return mysql_insert(table).prefix_with("IGNORE")
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=["booking_ref"])


def _record_ledger(session: Session, booking: Booking, now: datetime) -> None:
    if not booking.booking_ref:
        return
    session.execute(_ledger_insert(session.get_bind().dialect.name), [{
        "booking_ref": booking.booking_ref, "email": booking.email_key,
        "subtotal": booking.subtotal, "booking_date": booking.booking_date,
        "status": "confirmed", "created_at": now}])


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
    ctx = _context(state, now)
    key = normalize_code(code)
    found = load_terms(session, key)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: a read transaction that later writes can meet another one doing the
        # same and fail at once instead of waiting; MySQL reads take no locks here.
        session.rollback()
    if found is None:
        raise CouponRejected("not_found", "This coupon isn't valid.")
    terms, code_id = found
    coupon_id = terms.coupon_id
    try:
        result, limit_hit = _redeem_locked(state, session, key, code_id, terms, booking,
                                           source, ctx)
    except CouponRejected as rejected:
        session.rollback()
        again = _existing(session, coupon_id, booking.booking_ref)
        if again is not None:  # this booking was redeemed before: answer with it
            return RedeemResult(again, created=False)
        session.rollback()
        state.funnel.count(coupon_id, _today(state, ctx.now), "redeem_" + rejected.reason)
        raise
    except IntegrityError:  # the booking was redeemed before: (coupon, booking_ref) is unique
        session.rollback()
        again = _existing(session, coupon_id, booking.booking_ref)
        session.rollback()
        if again is None:
            raise
        return RedeemResult(again, created=False)
    except BaseException:
        session.rollback()
        raise
    if result.created:
        state.terms_cache.drop(coupon_id)
        if not (signals.coupon_redeemed.receivers
                or (limit_hit and signals.coupon_limit_reached.receivers)):
            return result  # nobody listens: no coupon to read for them
        coupon = get_coupon(session, coupon_id)
        coupon_data = coupon_json(coupon, primary_code(session, coupon_id))
        session.rollback()
        emit(signals.coupon_redeemed, coupon=coupon_data,
             redemption=redemption_json(result.redemption), booking=booking)
        if limit_hit:
            emit(signals.coupon_limit_reached, coupon=coupon_data)
    return result


def _redeem_locked(state: AppState, session: Session, key: str, code_id: int, terms: Terms,
                   booking: Booking, source: str, ctx: Context) -> tuple[RedeemResult, bool]:
    """Record the redemption; ``terms`` were read before the lock (one query fewer in it)."""
    assert booking.booking_ref is not None
    coupon_id = terms.coupon_id
    continuing = bool(booking.series_ref) and booking.occurrence >= 1
    taken = False
    if continuing:  # a later occurrence may consume no use: lock only
        _lock_coupon(session, coupon_id)
        existing = _existing(session, coupon_id, booking.booking_ref)
        if existing is not None:
            session.commit()
            return RedeemResult(existing, created=False), False
    else:
        # A booking sent again is not looked up inside the lock: its INSERT
        # below hits the (coupon_id, booking_ref) unique key, the transaction
        # (and the use) rolls back, and redeem() answers with the first
        # redemption; a rejection checks for one too.
        taken = _take_use(session, coupon_id)
    start = None
    if continuing:
        assert booking.series_ref is not None
        start = _series_start(session, coupon_id, booking.series_ref)
    limit_hit = False
    if start is not None:
        # A later occurrence: the series' own terms, no new use, no re-validation.
        discount = (discount_amount(start.discount_type, start.discount_value, booking.subtotal)
                    if start.recurring_scope == "all" else Decimal("0"))
        terms_type, terms_value, scope = (start.discount_type, start.discount_value,
                                          start.recurring_scope)
        consumed = False
        notice_coupon = coupon_part(coupon_id, key)
    else:
        if continuing:  # a series with no redemption yet: this is its first booking
            taken = _take_use(session, coupon_id)
        history = LedgerHistory(session, coupon_id, exclude_booking_ref=booking.booking_ref,
                                lookup=state.customer_lookup)
        # ``used`` as the locked row has it: below the limit when the use was
        # taken, at it otherwise (so the rules name the first reason, §2).
        used_now = 0 if taken else (terms.max_uses or 0)
        validate(replace(terms, used=used_now), booking, ctx, history)
        if not taken:
            if terms.max_uses is None:  # the row went away after the terms were read
                raise CouponRejected("not_found", "This coupon isn't valid.")
            raise CouponRejected("usage_limit_reached", "This coupon has reached its usage limit.")
        if terms.code_single_use:
            claimed = session.execute(
                update(CouponCode).where(CouponCode.id == code_id, CouponCode.used_at.is_(None))
                .values(used_at=ctx.now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise CouponRejected("usage_limit_reached",
                                     "This coupon has reached its usage limit.")
        used_after: int | None = None
        if terms.max_uses is not None or state.channels:
            used_after = int(session.execute(
                select(Coupon.used).where(Coupon.id == coupon_id)).scalar_one())
        limit_hit = terms.max_uses is not None and (used_after or 0) >= terms.max_uses
        discount = discount_amount(terms.discount_type, terms.discount_value, booking.subtotal)
        terms_type, terms_value, scope = (terms.discount_type, terms.discount_value,
                                          terms.recurring_scope)
        consumed = True
        notice_coupon = coupon_part(coupon_id, key, terms, used_after)
    amounts = price(booking.subtotal, discount, state.tax_rate)
    redemption = Redemption(
        coupon_id=coupon_id, code_id=code_id, code=key, booking_ref=booking.booking_ref,
        series_ref=booking.series_ref, occurrence=booking.occurrence, email=booking.email_key,
        booking_date=booking.booking_date, booking_type=booking.booking_type,
        subtotal=amounts.subtotal, discount=amounts.discount, tax=amounts.tax,
        total=amounts.total, discount_type=terms_type, discount_value=terms_value,
        recurring_scope=scope, consumed_use=consumed, status="redeemed", source=source,
        created_at=ctx.now)
    session.add(redemption)
    _record_ledger(session, booking, ctx.now)
    session.flush()
    tracking.record_redemption(session, redemption)
    notice = redemption_data(redemption, state.currency, notice_coupon)
    stage(session, state.channels, "coupon.redeemed", notice, coupon_id=coupon_id)
    if limit_hit:
        stage(session, state.channels, "coupon.limit_reached", notice, coupon_id=coupon_id)
    session.flush()
    session.expunge(redemption)  # stays loaded after the commit: no re-read to answer
    session.commit()
    return RedeemResult(redemption, created=True), limit_hit


def cancel(redemption_id: int, *, now: datetime | None = None) -> tuple[Redemption, bool]:
    """Mark a redemption cancelled and give its use back, exactly once.

    Returns the redemption and whether this call changed it.
    """
    state = get_state()
    session = state.session
    moment = now or utcnow()
    row = session.get(Redemption, redemption_id)
    if row is None:
        abort(404, description=f"No redemption with id {redemption_id}.")
    coupon_id = row.coupon_id
    session.rollback()
    try:
        _lock_coupon(session, coupon_id)
        flipped = session.execute(
            update(Redemption).where(Redemption.id == redemption_id,
                                     Redemption.status == "redeemed")
            .values(status="cancelled", cancelled_at=moment)
            .execution_options(synchronize_session=False))
        changed = flipped.rowcount == 1  # type: ignore[attr-defined]
        redemption = session.execute(select(Redemption).where(Redemption.id == redemption_id)
                                     .execution_options(populate_existing=True)).scalar_one()
        if changed and redemption.consumed_use:
            session.execute(update(Coupon).where(Coupon.id == coupon_id, Coupon.used > 0)
                            .values(used=Coupon.used - 1)
                            .execution_options(synchronize_session=False))
            if redemption.code_id is not None:
                session.execute(update(CouponCode).where(CouponCode.id == redemption.code_id,
                                                         CouponCode.single_use.is_(True))
                                .values(used_at=None)
                                .execution_options(synchronize_session=False))
        if changed:
            tracking.record_cancellation(session, redemption)
            session.execute(update(LedgerBooking).where(
                LedgerBooking.booking_ref == redemption.booking_ref)
                .values(status="cancelled").execution_options(synchronize_session=False))
            stage(session, state.channels, "coupon.released",
                  redemption_data(redemption, state.currency,
                                  coupon_part(coupon_id, redemption.code)),
                  coupon_id=coupon_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if changed:
        state.terms_cache.drop(coupon_id)
        coupon = get_coupon(session, coupon_id)
        coupon_data = coupon_json(coupon, primary_code(session, coupon_id))
        data = redemption_json(redemption)
        session.rollback()
        emit(signals.coupon_released, coupon=coupon_data, redemption=data)
    return redemption, changed


def record_booking(booking: Booking) -> tuple[LedgerBooking, bool]:
    """Add a booking without a coupon to the ledger (idempotent by booking_ref)."""
    if not booking.booking_ref:
        raise ValueError("a booking needs its booking_ref")
    state = get_state()
    session = state.session
    stmt = select(LedgerBooking).where(LedgerBooking.booking_ref == booking.booking_ref)
    existing = session.execute(stmt).scalar_one_or_none()
    if existing is not None:
        return existing, False
    row = LedgerBooking(booking_ref=booking.booking_ref, email=booking.email_key,
                        subtotal=booking.subtotal, booking_date=booking.booking_date,
                        status="confirmed")
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.execute(stmt).scalar_one(), False
    return row, True
