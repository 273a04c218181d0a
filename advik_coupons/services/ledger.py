"""The booking ledger: every confirmed booking the host reports, with or without a coupon.

It answers "has this customer booked before?" for the new/existing audiences
(unless a host supplies ``ADVIK_CUSTOMER_LOOKUP``). Idempotent by ``booking_ref``.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..domain.rules import Booking
from ..state import get_state
from ..store import redemptions as sql
from ..store import retry
from ..store.models import LedgerBooking
from .context import rules_context


def record_booking(booking: Booking) -> tuple[LedgerBooking, bool]:
    """Add a booking without a coupon to the ledger (idempotent by booking_ref)."""
    if not booking.booking_ref:
        raise ValueError("a booking needs its booking_ref")
    state = get_state()
    session = state.session

    def add() -> tuple[LedgerBooking, bool]:
        existing = sql.ledger_booking(session, booking.booking_ref or "")
        if existing is not None:
            return existing, False
        row = LedgerBooking(booking_ref=booking.booking_ref, email=booking.email,
                            email_key=rules_context(state).customer_key(booking),
                            subtotal=booking.subtotal, booking_date=booking.booking_date,
                            status="confirmed")
        session.add(row)
        session.commit()
        return row, True

    try:
        return retry.run(add, rollback=session.rollback, what="record_booking")
    except IntegrityError:
        session.rollback()
        found = sql.ledger_booking(session, booking.booking_ref)
        assert found is not None
        return found, False
