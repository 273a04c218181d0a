"""docs/contracts.md §2 and §7: every reason code, and the order between each adjacent pair."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from advik_coupons.domain.booking import Line
from advik_coupons.domain.customers import CustomerFacts
from advik_coupons.domain.errors import CouponRejected
from advik_coupons.domain.messages import REASONS
from advik_coupons.domain.rules import Booking, Context, Terms, validate
from advik_coupons.domain.terms import Window

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a Wednesday
CTX = Context(now=NOW, tz=UTC, currency="USD")


@dataclass
class History:
    """A customer history kept in sets (canonical e-mails), recording what was asked."""

    booked: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    last_booked: date | None = None
    bookings: int | None = None
    asked: list[str] = field(default_factory=list)

    def facts(self, email: str) -> CustomerFacts:
        self.asked.append("facts")
        count = self.bookings if self.bookings is not None else int(email in self.booked)
        return CustomerFacts(bookings=count, last_booked=self.last_booked if count else None)

    def uses(self, email: str) -> int:
        self.asked.append("uses")
        return int(email in self.used)


def terms(**overrides: object) -> Terms:
    base = Terms(coupon_id=1, code="SPRING10", discount_type="percent",
                 discount_value=Decimal("10"), starts_at=NOW - timedelta(days=1))
    return replace(base, **overrides)  # type: ignore[arg-type]


def booking(**overrides: object) -> Booking:
    base = Booking(subtotal=Decimal("120.00"), email="ann@example.com",
                   booking_date=date(2026, 12, 9), booking_type="one_time")
    return replace(base, **overrides)  # type: ignore[arg-type]


def reason(t: Terms | None, b: Booking, history: History | None = None,
           others: tuple[Terms, ...] = ()) -> str | None:
    try:
        validate(t, b, CTX, history or History(), others)
    except CouponRejected as rejected:
        return rejected.reason
    return None


ANN = "ann@example.com"
WINDOWS = (Window(time(8, 0), time(9, 0)),)
ONE_LINE = (Line(service="windows", unit_price=Decimal("120.00")),)
COMBINABLE = (terms(coupon_id=2, code="OTHER", combinable=True),)

# One failing condition per rule, in the published order:
# (reason, terms' overrides, booking's overrides, history, other coupons on the booking).
FAILURES: list[tuple[str, dict[str, object], dict[str, object], History, tuple[Terms, ...]]] = [
    ("inactive", {"active": False}, {}, History(), ()),
    ("not_started", {"starts_at": NOW + timedelta(days=1)}, {}, History(), ()),
    ("usage_limit_reached", {"max_uses": 5, "used": 5}, {}, History(), ()),
    ("below_minimum", {"min_subtotal": Decimal("200")}, {}, History(), ()),
    ("above_maximum", {"max_subtotal": Decimal("100")}, {}, History(), ()),
    ("day_not_allowed", {"days_of_week": frozenset({"mon"})}, {}, History(), ()),
    ("time_not_allowed", {"hours": WINDOWS}, {"booking_time": time(10, 0)}, History(), ()),
    ("booking_type_not_allowed", {"booking_types": frozenset({"recurring"})}, {}, History(), ()),
    ("no_eligible_items", {"services": frozenset({"deep"})}, {"items": ONE_LINE}, History(), ()),
    ("email_required", {"once_per_customer": True}, {"email": None}, History(), ()),
    ("customer_not_eligible", {"allowed_emails": ("bob@example.com",)}, {}, History(), ()),
    ("new_customers_only", {"audience": "new"}, {}, History(booked={ANN}), ()),
    ("already_used", {"once_per_customer": True}, {}, History(used={ANN}), ()),
    ("not_combinable", {}, {}, History(), COMBINABLE),
]


def test_every_reason_of_the_contract_is_tested_here() -> None:
    tested = {f[0] for f in FAILURES} | {"not_found", "expired", "existing_customers_only",
                                        "lapsed_customers_only", "loyal_customers_only"}
    assert tested == set(REASONS)


def test_a_valid_code_passes() -> None:
    assert reason(terms(), booking()) is None


def test_unknown_code_is_not_found() -> None:
    assert reason(None, booking()) == "not_found"


@pytest.mark.parametrize("name,t_over,b_over,history,others", FAILURES,
                         ids=[f[0] for f in FAILURES])
def test_each_reason_alone(name: str, t_over: dict[str, object], b_over: dict[str, object],
                           history: History, others: tuple[Terms, ...]) -> None:
    assert reason(terms(**t_over), booking(**b_over), history, others) == name


@pytest.mark.parametrize("index", range(len(FAILURES) - 1),
                         ids=[f"{FAILURES[i][0]}>{FAILURES[i + 1][0]}"
                              for i in range(len(FAILURES) - 1)])
def test_adjacent_pairs_report_the_earlier_rule(index: int) -> None:
    first, second = FAILURES[index], FAILURES[index + 1]
    t_over = {**second[1], **first[1]}
    b_over = {**second[2], **first[2]}
    history = History(booked=first[3].booked | second[3].booked,
                      used=first[3].used | second[3].used)
    assert reason(terms(**t_over), booking(**b_over), history, first[4] + second[4]) == first[0]


def test_not_found_comes_before_everything() -> None:
    assert reason(None, booking(email=None, subtotal=Decimal("0")), History(),
                  COMBINABLE) == "not_found"


def test_expired_is_rule_three_like_not_started() -> None:
    t = terms(ends_at=NOW - timedelta(seconds=1), max_uses=1, used=1)
    assert reason(t, booking()) == "expired"
    assert reason(replace(t, active=False), booking()) == "inactive"


def test_archived_answers_like_inactive() -> None:
    assert reason(terms(archived=True), booking()) == "inactive"


def test_used_single_use_code_is_usage_limit() -> None:
    assert reason(terms(code_single_use=True, code_used=True), booking()) == "usage_limit_reached"


def test_every_audience_stands_at_rule_thirteen() -> None:
    for audience, facts, expected in (
            ("existing", History(), "existing_customers_only"),
            ("lapsed", History(booked={ANN}, last_booked=date(2026, 12, 1)),
             "lapsed_customers_only"),
            ("loyal", History(bookings=2, last_booked=date(2026, 12, 1)),
             "loyal_customers_only")):
        t = terms(audience=audience, audience_days=30, audience_min_bookings=3)
        assert reason(t, booking(), facts) == expected
        assert reason(replace(t, allowed_emails=("bob@example.com",)), booking(),
                      facts) == "customer_not_eligible"
        assert reason(replace(t, once_per_customer=True), booking(),
                      replace(facts, used={ANN})) == expected


def test_email_needed_for_audience_even_without_once_per_customer() -> None:
    assert reason(terms(audience="new"), booking(email=None)) == "email_required"
    assert reason(terms(audience="all"), booking(email=None)) is None
    assert reason(terms(allowed_emails=("@example.com",)), booking(email=None)) == (
        "email_required")
    assert reason(terms(code_email=ANN), booking(email=None)) == "email_required"


def test_history_is_asked_only_when_a_rule_needs_it() -> None:
    history = History()
    validate(terms(), booking(), CTX, history)
    assert history.asked == []
    validate(terms(once_per_customer=True), booking(), CTX, history)
    assert history.asked == ["uses"]
    validate(terms(audience="new"), booking(), CTX, history)
    assert history.asked == ["uses", "facts"]


def test_customers_are_compared_by_canonical_email() -> None:
    history = History(used={ANN})
    assert reason(terms(once_per_customer=True), booking(email=" Ann+Spring@Example.COM. "),
                  history) == "already_used"
    plain = Context(now=NOW, tz=UTC, canonical_emails=False)
    with pytest.raises(CouponRejected):
        validate(terms(once_per_customer=True), booking(email="ANN@example.com"), plain, history)
    validate(terms(once_per_customer=True), booking(email="ann+x@example.com"), plain, history)


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
        validate(terms(hours=(Window(time(14, 0), time(17, 0)), Window(time(9), time(12)))),
                 booking(booking_time=time(12, 0)), CTX, History())
    assert info.value.message == ("This coupon can be used for bookings at 09:00–12:00 and "
                                  "14:00–17:00.")
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
