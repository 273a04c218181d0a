"""docs/contracts.md §2: every reason code, and the order between each adjacent pair of rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from advik_coupons.domain.errors import CouponRejected
from advik_coupons.domain.rules import Booking, Context, Terms, validate

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a Wednesday
CTX = Context(now=NOW, tz=UTC, currency="USD")


@dataclass
class History:
    booked: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def has_booked_before(self, email: str) -> bool:
        self.asked.append("booked")
        return email in self.booked

    def has_used_coupon(self, email: str) -> bool:
        self.asked.append("used")
        return email in self.used


def terms(**overrides: object) -> Terms:
    base = Terms(coupon_id=1, code="SPRING10", discount_type="percent",
                 discount_value=Decimal("10"), starts_at=NOW - timedelta(days=1))
    return replace(base, **overrides)  # type: ignore[arg-type]


def booking(**overrides: object) -> Booking:
    base = Booking(subtotal=Decimal("120.00"), email="ann@example.com",
                   booking_date=date(2026, 12, 9), booking_type="one_time")
    return replace(base, **overrides)  # type: ignore[arg-type]


def reason(t: Terms | None, b: Booking, history: History | None = None) -> str | None:
    try:
        validate(t, b, CTX, history or History())
    except CouponRejected as rejected:
        return rejected.reason
    return None


# One failing condition per rule, in the published order.
FAILURES: list[tuple[str, dict[str, object], dict[str, object], History]] = [
    ("inactive", {"active": False}, {}, History()),
    ("not_started", {"starts_at": NOW + timedelta(days=1)}, {}, History()),
    ("usage_limit_reached", {"max_uses": 5, "used": 5}, {}, History()),
    ("below_minimum", {"min_subtotal": Decimal("200")}, {}, History()),
    ("above_maximum", {"max_subtotal": Decimal("100")}, {}, History()),
    ("day_not_allowed", {"days_of_week": frozenset({"mon"})}, {}, History()),
    ("booking_type_not_allowed", {"booking_types": frozenset({"recurring"})}, {}, History()),
    ("email_required", {"once_per_customer": True}, {"email": None}, History()),
    ("new_customers_only", {"audience": "new"}, {}, History(booked={"ann@example.com"})),
    ("already_used", {"once_per_customer": True}, {}, History(used={"ann@example.com"})),
]


def test_a_valid_code_passes() -> None:
    assert reason(terms(), booking()) is None


def test_unknown_code_is_not_found() -> None:
    assert reason(None, booking()) == "not_found"


@pytest.mark.parametrize("name,t_over,b_over,history", FAILURES, ids=[f[0] for f in FAILURES])
def test_each_reason_alone(name: str, t_over: dict[str, object], b_over: dict[str, object],
                           history: History) -> None:
    assert reason(terms(**t_over), booking(**b_over), history) == name


@pytest.mark.parametrize("index", range(len(FAILURES) - 1),
                         ids=[f"{FAILURES[i][0]}>{FAILURES[i + 1][0]}"
                              for i in range(len(FAILURES) - 1)])
def test_adjacent_pairs_report_the_earlier_rule(index: int) -> None:
    first, second = FAILURES[index], FAILURES[index + 1]
    t_over = {**second[1], **first[1]}
    b_over = {**second[2], **first[2]}
    history = History(booked=first[3].booked | second[3].booked,
                      used=first[3].used | second[3].used)
    if first[0] == "email_required":  # once_per_customer without e-mail comes before audience
        t_over["audience"] = "new"
    assert reason(terms(**t_over), booking(**b_over), history) == first[0]


def test_not_found_comes_before_everything() -> None:
    assert reason(None, booking(email=None, subtotal=Decimal("0"))) == "not_found"


def test_expired_is_rule_three_like_not_started() -> None:
    t = terms(ends_at=NOW - timedelta(seconds=1), max_uses=1, used=1)
    assert reason(t, booking()) == "expired"
    assert reason(replace(t, active=False), booking()) == "inactive"


def test_archived_answers_like_inactive() -> None:
    assert reason(terms(archived=True), booking()) == "inactive"


def test_used_single_use_code_is_usage_limit() -> None:
    assert reason(terms(code_single_use=True, code_used=True), booking()) == "usage_limit_reached"


def test_existing_customers_only() -> None:
    assert reason(terms(audience="existing"), booking()) == "existing_customers_only"
    assert reason(terms(audience="existing"), booking(),
                  History(booked={"ann@example.com"})) is None


def test_email_needed_for_audience_even_without_once_per_customer() -> None:
    assert reason(terms(audience="new"), booking(email=None)) == "email_required"
    assert reason(terms(audience="all"), booking(email=None)) is None


def test_history_is_asked_only_when_a_rule_needs_it() -> None:
    history = History()
    validate(terms(), booking(), CTX, history)
    assert history.asked == []
    validate(terms(once_per_customer=True), booking(), CTX, history)
    assert history.asked == ["used"]


def test_email_is_compared_case_insensitively() -> None:
    history = History(used={"ann@example.com"})
    assert reason(terms(once_per_customer=True), booking(email=" Ann@Example.COM "),
                  history) == "already_used"


def test_messages_are_the_customers_words() -> None:
    with pytest.raises(CouponRejected) as info:
        validate(terms(min_subtotal=Decimal("100")), booking(subtotal=Decimal("99.99")), CTX,
                 History())
    assert info.value.message == "Spend at least $100.00 to use this coupon."
    with pytest.raises(CouponRejected) as info:
        validate(terms(days_of_week=frozenset({"mon", "tue", "wed"})),
                 booking(booking_date=date(2026, 12, 10)), CTX, History())
    assert info.value.message == "This coupon can be used on Mon, Tue and Wed bookings."
    with pytest.raises(CouponRejected) as info:
        validate(terms(ends_at=datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)), booking(), CTX,
                 History())
    assert info.value.message == "This coupon expired on 1 Dec 2026."
    with pytest.raises(CouponRejected) as info:
        validate(None, booking(), CTX, History())
    assert info.value.message == "This coupon isn't valid."
    with pytest.raises(CouponRejected) as inactive:
        validate(terms(active=False), booking(), CTX, History())
    assert inactive.value.message == info.value.message


def test_unknown_reason_codes_cannot_be_raised() -> None:
    with pytest.raises(ValueError):
        CouponRejected("nope", "x")


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        Context(now=datetime(2026, 1, 1), tz=UTC)
