"""The SQL of redeeming and cancelling: uses taken and given back, locks, the ledger.

Limits hold under concurrency because every counter changes in SQL and a
redemption holds the coupon's row lock before it reads what it checks:
:func:`take_use` is the conditional ``UPDATE … SET used = used + 1 WHERE
used < max_uses`` that takes the use and the lock in one round trip (MySQL,
MariaDB and PostgreSQL row locks, SQLite's write lock), and :func:`lock_coupon` takes the
lock alone. Nothing is read, compared and written back in Python.
Statements used on every redemption are built once, their values bound per call.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, literal, or_, select, true, update
from sqlalchemy.orm import Session

from ..domain.rules import Booking
from .dialects import upsert_setting
from .models import Coupon, CouponCode, LedgerBooking, Redemption


def lock_coupon(session: Session, coupon_id: int) -> None:
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


def take_use(session: Session, coupon_id: int) -> bool:
    """Count one use if the coupon has one left; either way its row lock is held after."""
    taken = session.execute(_take_use_statement(), {"coupon_id": coupon_id})
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return True
    lock_coupon(session, coupon_id)
    return False


def give_back_use(session: Session, coupon_id: int) -> None:
    """``used = used - 1``, never below zero."""
    session.execute(update(Coupon).where(Coupon.id == coupon_id, Coupon.used > 0)
                    .values(used=Coupon.used - 1).execution_options(synchronize_session=False))


def used_now(session: Session, coupon_id: int) -> int:
    return int(session.execute(select(Coupon.used).where(Coupon.id == coupon_id)).scalar_one())


def claim_code(session: Session, code_id: int, now: datetime) -> bool:
    """Mark a single-use code used; False when another redemption has it already."""
    claimed = session.execute(
        update(CouponCode).where(CouponCode.id == code_id, CouponCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def free_code(session: Session, code_id: int) -> None:
    """A single-use code may be used again (its redemption was cancelled)."""
    session.execute(update(CouponCode).where(CouponCode.id == code_id,
                                             CouponCode.single_use.is_(True))
                    .values(used_at=None).execution_options(synchronize_session=False))


def find_redemption(session: Session, coupon_id: int, booking_ref: str) -> Redemption | None:
    """This booking's redemption of this coupon, read afresh."""
    return session.execute(
        select(Redemption).where(Redemption.coupon_id == coupon_id,
                                 Redemption.booking_ref == booking_ref)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def series_start(session: Session, coupon_id: int, series_ref: str) -> Redemption | None:
    """The redemption that took the series' use (its terms hold for the later occurrences)."""
    return session.execute(
        select(Redemption).where(Redemption.coupon_id == coupon_id,
                                 Redemption.series_ref == series_ref,
                                 Redemption.status == "redeemed",
                                 Redemption.consumed_use.is_(True))
        .order_by(Redemption.occurrence).limit(1)).scalar_one_or_none()


def mark_cancelled(session: Session, redemption_id: int, now: datetime) -> bool:
    """Flip a redemption to ``cancelled``; False when it already was."""
    flipped = session.execute(
        update(Redemption).where(Redemption.id == redemption_id, Redemption.status == "redeemed")
        .values(status="cancelled", cancelled_at=now)
        .execution_options(synchronize_session=False))
    return flipped.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def read_redemption(session: Session, redemption_id: int) -> Redemption | None:
    return session.execute(select(Redemption).where(Redemption.id == redemption_id)
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def cancel_ledger(session: Session, booking_ref: str) -> None:
    session.execute(update(LedgerBooking).where(LedgerBooking.booking_ref == booking_ref)
                    .values(status="cancelled").execution_options(synchronize_session=False))


def ledger_booking(session: Session, booking_ref: str) -> LedgerBooking | None:
    return session.execute(select(LedgerBooking).where(
        LedgerBooking.booking_ref == booking_ref)).scalar_one_or_none()


@functools.cache
def _booking_upsert(dialect: str) -> Any:
    """The ledger row of a booking, inserted or confirmed again: it also takes the row's lock."""
    table: Table = LedgerBooking.__table__  # type: ignore[assignment]
    return upsert_setting(table, ["booking_ref"], {"status": literal("confirmed"),
                                                   "with_coupon": true()}, dialect)


def lock_booking(session: Session, booking: Booking, email_key: str | None,
                 now: datetime) -> None:
    """The booking joins the ledger (or is confirmed again) and its row is locked.

    Taken after the coupon's lock, so two coupons redeemed on one booking at once
    are priced one after the other; every coupon's redemption takes the locks in
    this order (coupon, then booking).
    """
    assert booking.booking_ref
    session.execute(_booking_upsert(session.get_bind().dialect.name), [{
        "booking_ref": booking.booking_ref, "email": booking.email, "email_key": email_key,
        "subtotal": booking.subtotal, "booking_date": booking.booking_date,
        "status": "confirmed", "with_coupon": True, "created_at": now}])


def live_on_booking(session: Session, booking_ref: str, *, other_than: int) -> list[Redemption]:
    """The booking's live redemptions of other coupons, in the order they were made."""
    return list(session.execute(
        select(Redemption).where(Redemption.booking_ref == booking_ref,
                                 Redemption.coupon_id != other_than,
                                 Redemption.status == "redeemed")
        .order_by(Redemption.id)).scalars())


def occurrence_taken(session: Session, coupon_id: int, series_ref: str, occurrence: int,
                     booking_ref: str) -> bool:
    """Whether this (series, occurrence) already has a live redemption of another booking."""
    return bool(session.execute(select(exists().where(
        Redemption.coupon_id == coupon_id, Redemption.series_ref == series_ref,
        Redemption.occurrence == occurrence, Redemption.booking_ref != booking_ref,
        Redemption.status == "redeemed"))).scalar())


def keep_ledger_if_live(session: Session, booking_ref: str) -> None:
    """Cancel the ledger booking unless another live redemption still holds it."""
    still = session.execute(select(exists().where(
        Redemption.booking_ref == booking_ref, Redemption.status == "redeemed"))).scalar()
    if not still:
        cancel_ledger(session, booking_ref)


def later_on_booking(session: Session, booking_ref: str, after_id: int) -> bool:
    """Whether another coupon was redeemed on the booking after this redemption."""
    return bool(session.execute(select(exists().where(
        Redemption.booking_ref == booking_ref, Redemption.id > after_id,
        Redemption.status == "redeemed"))).scalar())


def update_ledger(session: Session, booking: Booking, email_key: str | None) -> None:
    """The ledger booking follows an amended booking's facts."""
    assert booking.booking_ref
    session.execute(update(LedgerBooking).where(LedgerBooking.booking_ref == booking.booking_ref)
                    .values(email=booking.email, email_key=email_key, subtotal=booking.subtotal,
                            booking_date=booking.booking_date)
                    .execution_options(synchronize_session=False))
