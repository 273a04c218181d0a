"""The edges: equal to min and max, the last second of the end date, codes as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from advik_coupons.domain.codes import is_valid_code, normalize_code
from advik_coupons.domain.errors import CouponRejected
from advik_coupons.domain.money import discount_amount, price
from advik_coupons.domain.rules import Booking, Context, end_of_day, start_of_day, validate
from tests.domain.test_rules_order import History, booking, terms

NEW_YORK = ZoneInfo("America/New_York")


def check(t: object, b: Booking, now: datetime, tz: object = UTC) -> str | None:
    try:
        validate(t, b, Context(now=now, tz=tz), History())  # type: ignore[arg-type]
    except CouponRejected as rejected:
        return rejected.reason
    return None


NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


def test_subtotal_equal_to_minimum_applies() -> None:
    t = terms(min_subtotal=Decimal("100.00"))
    assert check(t, booking(subtotal=Decimal("100.00")), NOW) is None
    assert check(t, booking(subtotal=Decimal("99.99")), NOW) == "below_minimum"


def test_subtotal_equal_to_maximum_applies() -> None:
    t = terms(max_subtotal=Decimal("500.00"))
    assert check(t, booking(subtotal=Decimal("500.00")), NOW) is None
    assert check(t, booking(subtotal=Decimal("500.01")), NOW) == "above_maximum"


def test_zero_min_and_max_mean_no_limit() -> None:
    t = terms(min_subtotal=Decimal("0"), max_subtotal=Decimal("0"))
    assert check(t, booking(subtotal=Decimal("0.00")), NOW) is None
    assert check(t, booking(subtotal=Decimal("9999999.99")), NOW) is None


def test_end_date_is_inclusive_to_its_last_second_in_the_site_time_zone() -> None:
    ends = end_of_day(date(2026, 12, 31), NEW_YORK)
    t = terms(starts_at=datetime(2026, 1, 1, tzinfo=UTC), ends_at=ends)
    last_second = datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=NEW_YORK)
    first_after = datetime(2027, 1, 1, 0, 0, 0, tzinfo=NEW_YORK)
    assert check(t, booking(), last_second, NEW_YORK) is None
    assert check(t, booking(), first_after, NEW_YORK) == "expired"
    # In UTC that boundary is 05:00 on 1 January, not midnight.
    assert check(t, booking(), datetime(2027, 1, 1, 4, 59, 59, tzinfo=UTC), NEW_YORK) is None
    assert check(t, booking(), datetime(2027, 1, 1, 5, 0, 0, tzinfo=UTC), NEW_YORK) == "expired"


def test_start_date_means_the_start_of_that_day() -> None:
    t = terms(starts_at=start_of_day(date(2026, 12, 1), NEW_YORK))
    assert check(t, booking(), datetime(2026, 12, 1, 4, 59, 59, tzinfo=UTC),
                 NEW_YORK) == "not_started"
    assert check(t, booking(), datetime(2026, 12, 1, 5, 0, 0, tzinfo=UTC), NEW_YORK) is None


def test_days_of_week_use_the_booking_date_else_today_in_the_site_zone() -> None:
    t = terms(days_of_week=frozenset({"wed"}))
    assert check(t, booking(booking_date=date(2026, 12, 9)), NOW) is None  # Wednesday
    assert check(t, booking(booking_date=date(2026, 12, 10)), NOW) == "day_not_allowed"
    # No booking date: 02:00 UTC Thursday is still Wednesday evening in New York.
    thursday_utc = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    assert check(t, booking(booking_date=None), thursday_utc, NEW_YORK) is None
    assert check(t, booking(booking_date=None), thursday_utc, UTC) == "day_not_allowed"


def test_booking_type_both_means_any() -> None:
    t = terms()
    assert check(t, booking(booking_type="recurring"), NOW) is None
    assert check(t, booking(booking_type="one_time"), NOW) is None
    only_once = terms(booking_types=frozenset({"one_time"}))
    assert check(only_once, booking(booking_type="recurring"), NOW) == "booking_type_not_allowed"


def test_a_hundred_percent_discount_is_the_whole_subtotal() -> None:
    assert discount_amount("percent", Decimal("100"), Decimal("87.35")) == Decimal("87.35")
    p = price(Decimal("87.35"), Decimal("87.35"), Decimal("8.25"))
    assert (p.tax, p.total) == (Decimal("0.00"), Decimal("0.00"))


def test_a_fixed_discount_above_the_subtotal_stops_at_the_subtotal() -> None:
    assert discount_amount("fixed", Decimal("50"), Decimal("30.00")) == Decimal("30.00")


def test_percentages_round_half_up_to_the_cent() -> None:
    assert discount_amount("percent", Decimal("10"), Decimal("0.05")) == Decimal("0.01")
    assert discount_amount("percent", Decimal("15"), Decimal("10.10")) == Decimal("1.52")
    assert discount_amount("percent", Decimal("12.5"), Decimal("0.20")) == Decimal("0.03")


def test_tax_is_on_the_post_discount_subtotal() -> None:
    p = price(Decimal("120.00"), Decimal("12.00"), Decimal("8.25"))
    assert p.tax == Decimal("8.91")  # 108.00 * 8.25% = 8.91
    assert p.total == Decimal("116.91")


@pytest.mark.parametrize("typed", ["  spring10  ", "spring10", "Spring10", "\tSPRING10\n"])
def test_codes_with_spaces_and_lower_case_match(typed: str) -> None:
    assert normalize_code(typed) == "SPRING10"


@pytest.mark.parametrize("code,ok", [("SPRING10", True), ("A-B_C", True), ("A" * 50, True),
                                     ("A" * 51, False), ("SPRING 10", False), ("ÉTÉ", False),
                                     ("X';DROP", False), ("", False)])
def test_code_alphabet(code: str, ok: bool) -> None:
    assert is_valid_code(code) is ok


def test_not_started_message_names_the_local_day() -> None:
    t = terms(starts_at=start_of_day(date(2026, 12, 20), NEW_YORK))
    with pytest.raises(CouponRejected) as info:
        validate(t, booking(), Context(now=NOW, tz=NEW_YORK), History())
    assert info.value.message == "This coupon starts on 20 Dec 2026."


def test_currency_in_messages() -> None:
    t = terms(max_subtotal=Decimal("500"))
    with pytest.raises(CouponRejected) as info:
        validate(t, booking(subtotal=Decimal("600")), Context(now=NOW, tz=UTC, currency="EUR"),
                 History())
    assert info.value.message == "This coupon applies to bookings up to €500.00."


def test_starts_exactly_now_applies() -> None:
    assert check(terms(starts_at=NOW), booking(), NOW) is None
    assert check(terms(starts_at=NOW + timedelta(microseconds=1)), booking(), NOW) == "not_started"
