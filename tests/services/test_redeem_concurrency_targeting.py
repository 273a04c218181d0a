"""The new limits under concurrency (docs/contracts.md §7), threads on SQLite and MariaDB:
uses per customer by canonical e-mail, and combinable coupons racing on one booking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from advik_coupons import Booking, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import Redemption
from tests.conftest import make_coupon
from tests.services.test_redeem_concurrency import counts, race

VARIANTS = ["ann@gmail.com", "a.nn@gmail.com", "ANN+spa@gmail.com", "ann@googlemail.com",
            "A.N.N@GMAIL.COM."]


def test_thirty_threads_of_one_customer_get_exactly_three(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="THRICE", uses_per_customer=3)

    def call(i: int) -> Callable[[], str]:
        def run() -> str:
            redeem("THRICE", Booking(subtotal=Decimal("80.00"), booking_ref=f"t-{i}",
                                     email=VARIANTS[i % len(VARIANTS)]))
            return "created"
        return run

    outcome = race(any_app, [call(i) for i in range(30)])
    assert outcome == Counter({"created": 3, "already_used": 27})
    assert counts(any_app, coupon_id) == (3, 3)


def test_combinable_coupons_racing_on_one_booking_stay_under_the_subtotal(
        any_app: Flask) -> None:
    codes = [f"STACK{n}" for n in range(6)]
    for code in codes:
        make_coupon(any_app, code=code, discount_type="fixed", discount_value=Decimal("40"),
                    combinable=True)

    def call(code: str) -> Callable[[], str]:
        def run() -> str:
            redeem(code, Booking(subtotal=Decimal("100.00"), booking_ref="one-booking"))
            return "created"
        return run

    outcome = race(any_app, [call(c) for c in codes])
    assert outcome == Counter({"created": 6})
    with any_app.app_context():
        total = get_state().session.execute(
            select(func.sum(Redemption.discount)).where(
                Redemption.booking_ref == "one-booking")).scalar_one()
    assert Decimal(total) == Decimal("100.00")


def test_coupons_that_do_not_combine_racing_on_one_booking(any_app: Flask) -> None:
    codes = [f"ALONE{n}" for n in range(6)]
    for code in codes:
        make_coupon(any_app, code=code, discount_type="fixed", discount_value=Decimal("40"))

    def call(code: str) -> Callable[[], str]:
        def run() -> str:
            redeem(code, Booking(subtotal=Decimal("100.00"), booking_ref="one-booking"))
            return "created"
        return run

    outcome = race(any_app, [call(c) for c in codes])
    assert outcome == Counter({"created": 1, "not_combinable": 5})
