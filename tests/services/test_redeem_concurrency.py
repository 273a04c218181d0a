"""Limits hold under concurrency: threads racing on SQLite and on MariaDB."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from advik_coupons import Booking, CouponRejected, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon, Redemption
from tests.conftest import make_coupon


def race(app: Flask, calls: list[Callable[[], str]]) -> Counter[str]:
    """Run every call at once (a barrier), each in its own thread and app context."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], str]) -> str:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                return call()
            except CouponRejected as rejected:
                return rejected.reason
            finally:
                get_state().sessions.remove()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))


def redeem_call(code: str, ref: str, email: str | None = None) -> Callable[[], str]:
    def call() -> str:
        result = redeem(code, Booking(subtotal=Decimal("120.00"), booking_ref=ref, email=email))
        return "created" if result.created else "repeat"
    return call


def counts(app: Flask, coupon_id: int) -> tuple[int, int]:
    with app.app_context():
        session = get_state().session
        used = session.execute(select(Coupon.used).where(Coupon.id == coupon_id)).scalar_one()
        rows = session.execute(select(func.count()).select_from(Redemption).where(
            Redemption.coupon_id == coupon_id, Redemption.status == "redeemed")).scalar_one()
        return used, rows


def test_forty_threads_and_ten_uses_left(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="RACE", max_uses=12)
    with any_app.app_context():  # two uses taken already: ten left
        for ref in ("warm-1", "warm-2"):
            redeem("RACE", Booking(subtotal=Decimal("50"), booking_ref=ref))
    outcome = race(any_app, [redeem_call("race", f"b-{i}") for i in range(40)])
    assert outcome == Counter({"created": 10, "usage_limit_reached": 30})
    assert counts(any_app, coupon_id) == (12, 12)


def test_sixteen_threads_of_one_email_on_a_once_per_customer_coupon(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="ONCE", once_per_customer=True)
    outcome = race(any_app, [redeem_call("ONCE", f"o-{i}", "Ann@Example.com" if i % 2 else
                                         "ann@example.com") for i in range(16)])
    assert outcome == Counter({"created": 1, "already_used": 15})
    assert counts(any_app, coupon_id) == (1, 1)


def test_the_same_booking_ten_times_is_one_redemption(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="SAME", max_uses=100)
    outcome = race(any_app, [redeem_call("SAME", "booking-42") for _ in range(10)])
    assert outcome == Counter({"created": 1, "repeat": 9})
    assert counts(any_app, coupon_id) == (1, 1)


def test_single_use_batch_code_is_used_once(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="BATCHY")
    with any_app.app_context():
        from advik_coupons.services.coupons import create_batch

        _batch, codes = create_batch(coupon_id, 1, "mail")
    outcome = race(any_app, [redeem_call(codes[0], f"s-{i}") for i in range(8)])
    assert outcome == Counter({"created": 1, "usage_limit_reached": 7})
    assert counts(any_app, coupon_id) == (1, 1)
