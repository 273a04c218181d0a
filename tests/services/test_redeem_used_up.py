"""A used-up coupon is refused without the coupon's row lock, in the rules' order.

While another transaction holds the coupon's row (an admin edit, a redemption in
flight), a redemption of a coupon whose terms already say ``used >= max_uses``
answers ``usage_limit_reached`` at once instead of queueing behind it; an
earlier rule still wins (an inactive coupon is ``inactive``), and a booking
redeemed before the coupon filled still answers with its redemption.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import update

from advik_coupons import Booking, CouponRejected, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.conftest import make_coupon


def booking(ref: str) -> Booking:
    return Booking(subtotal=Decimal("100"), booking_ref=ref)


def test_used_up_coupon_is_refused_while_its_row_is_locked(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="FULL", max_uses=1)
    with any_app.app_context():
        assert redeem("FULL", booking("first")).created
        engine = get_state().engine
        # The funnel's count of the refusal waits for its next flush (on SQLite a write
        # would queue behind the holder's write lock, which is the file's).
        get_state().funnel.flush_seconds = 3600
    holder = engine.connect()
    holder.execute(update(Coupon).where(Coupon.id == coupon_id).values(used=Coupon.used))
    outcome: list[object] = []

    def attempt() -> None:
        with any_app.app_context():
            try:
                redeem("FULL", booking("second"))
                outcome.append("created")
            except CouponRejected as rejected:
                outcome.append(rejected.reason)
            except Exception as error:  # noqa: BLE001 - reported below
                outcome.append(error)
            finally:
                get_state().sessions.remove()

    try:
        started = time.monotonic()
        worker = threading.Thread(target=attempt)
        worker.start()
        worker.join(timeout=10)
        waited = time.monotonic() - started
        assert outcome == ["usage_limit_reached"], outcome
        assert waited < 5, "the refusal waited for the row lock"
    finally:
        holder.rollback()
        holder.close()
    with any_app.app_context():  # the booking that got the use answers with it
        again = redeem("FULL", booking("first"))
        assert not again.created


@pytest.mark.parametrize(("fields", "reason"), [
    ({"active": False}, "inactive"),
    ({"min_subtotal": Decimal("500")}, "usage_limit_reached"),  # rule 4 before rule 5
])
def test_the_first_failing_rule_is_named(any_app: Flask, fields: dict[str, object],
                                         reason: str) -> None:
    coupon_id = make_coupon(any_app, code="ORDER", max_uses=1)
    with any_app.app_context():
        session = get_state().session
        session.execute(update(Coupon).where(Coupon.id == coupon_id).values(used=1, **fields))
        session.commit()
        with pytest.raises(CouponRejected) as rejected:
            redeem("ORDER", booking("late"))
    assert rejected.value.reason == reason
