"""``hours`` (docs/contracts.md §7): windows in the site's time zone, edges and DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from advik_coupons.domain.errors import CouponRejected
from advik_coupons.domain.rules import Booking, Context, Terms, check_terms
from advik_coupons.domain.terms import Window
from advik_coupons.domain.values import read_hours

BERLIN = ZoneInfo("Europe/Berlin")
MORNINGS = Terms(coupon_id=1, code="EARLY", discount_type="percent",
                 discount_value=Decimal("10"), starts_at=datetime(2026, 1, 1, tzinfo=UTC),
                 hours=(Window(time(9, 0), time(12, 0)),))


def ok(booking: Booking, now: datetime) -> bool:
    try:
        check_terms(MORNINGS, booking, Context(now=now, tz=BERLIN))
    except CouponRejected as rejected:
        assert rejected.reason == "time_not_allowed"
        return False
    return True


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("at,expected", [
    (time(8, 59), False), (time(9, 0), True), (time(11, 59), True), (time(12, 0), False),
])
def test_the_window_includes_its_start_and_not_its_end(at: time, expected: bool) -> None:
    assert ok(Booking(Decimal("50"), booking_date=date(2026, 6, 2), booking_time=at),
              NOW) is expected


def test_without_a_booking_time_the_site_clock_decides() -> None:
    summer = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 10:30 in Berlin (UTC+2)
    winter = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 09:30 in Berlin (UTC+1)
    assert ok(Booking(Decimal("50")), summer) and ok(Booking(Decimal("50")), winter)
    assert not ok(Booking(Decimal("50")), datetime(2026, 12, 1, 11, 0, tzinfo=UTC))


def test_across_the_dst_changes_the_wall_clock_counts() -> None:
    # 29 Mar 2026 02:00 → 03:00 and 25 Oct 2026 03:00 → 02:00 in Berlin.
    for moment, expected in (
            (datetime(2026, 3, 29, 7, 59, tzinfo=UTC), True),   # 09:59 CEST
            (datetime(2026, 3, 29, 8, 0, tzinfo=UTC), True),    # 10:00 CEST
            (datetime(2026, 3, 29, 6, 59, tzinfo=UTC), False),  # 08:59 CEST
            (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), True),   # 09:00 CET
            (datetime(2026, 10, 25, 7, 59, tzinfo=UTC), False),  # 08:59 CET
            (datetime(2026, 10, 25, 10, 59, tzinfo=UTC), True),  # 11:59 CET
            (datetime(2026, 10, 25, 11, 0, tzinfo=UTC), False)):  # 12:00 CET
        assert ok(Booking(Decimal("50")), moment) is expected, moment
    sunday = Booking(Decimal("50"), booking_date=date(2026, 3, 29), booking_time=time(9, 0))
    assert ok(sunday, NOW - timedelta(days=100))


def test_several_windows() -> None:
    two = replace(MORNINGS, hours=read_hours("14:00-17:00, 09:00-12:00"))
    for at, expected in ((time(10), True), (time(13), False), (time(16, 59), True)):
        booking = Booking(Decimal("50"), booking_time=at)
        try:
            check_terms(two, booking, Context(now=NOW, tz=BERLIN))
            assert expected
        except CouponRejected:
            assert not expected


@pytest.mark.parametrize("text", ["12:00-09:00", "09:00-09:00", "25:00-26:00", "9-12",
                                  "09:00", "09:60-10:00"])
def test_bad_windows_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        read_hours(text)
