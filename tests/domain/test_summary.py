"""The coupon's one line (domain/summary.py): what the coupon page and the form both show."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from advik_coupons.domain.summary import days_phrase, describe, hours_word
from advik_coupons.domain.terms import Window

TZ = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 2)


def money(value: Decimal) -> str:
    return f"${value:.2f}"


def line(**values: object) -> str:
    return describe(values, money=money, tz=TZ, today=TODAY)


def test_the_issue_example() -> None:
    assert line(discount_type="percent", discount_value=Decimal("20.00"),
                services=frozenset({"deep cleaning"}),
                days_of_week=frozenset({"mon", "tue", "wed", "thu", "fri"}),
                hours=(Window(time(8), time(12)),), once_per_customer=True,
                ends_at=datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)) == (
        "20 % off deep cleaning, Mon–Fri mornings, once per customer, until 31 Dec")


def test_parts() -> None:
    assert line(discount_type="fixed", discount_value=Decimal("5")) == "$5.00 off"
    assert line(discount_value=None) == "A discount"
    assert line(discount_type="percent", discount_value=Decimal("10"),
                booking_types=frozenset({"recurring"}), audience="new", uses_per_customer=3,
                min_subtotal=Decimal("40"), max_uses=100,
                starts_at=datetime(2027, 1, 4, 9, tzinfo=TZ),
                ends_at=datetime(2027, 2, 1, tzinfo=TZ)) == (
        "10 % off, recurring bookings only, first-time customers only, 3 times per customer, "
        "on $40.00 or more, 100 uses in all, from 4 Jan 2027, until 1 Feb 2027")
    assert line(discount_type="percent", discount_value=Decimal("15"), audience="lapsed",
                audience_days=90) == "15 % off, customers back after 90 days"


def test_days_and_hours_read_like_words() -> None:
    assert days_phrase({"sat", "sun"}) == "Sat and Sun"
    assert days_phrase({"mon", "tue", "wed", "fri"}) == "Mon–Wed and Fri"
    assert days_phrase(set()) == "" and days_phrase({"mon", "tue", "wed", "thu", "fri", "sat",
                                                      "sun"}) == ""
    assert hours_word([Window(time(18), time(21))]) == "evenings"
    assert hours_word([Window(time(13), time(16))]) == "afternoons"
    assert hours_word([Window(time(9), time(17))]) == "09:00–17:00"
