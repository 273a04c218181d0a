"""docs/contracts.md §7 pricing: eligible lines, caps, the split per line, coupons combined."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from advik_coupons.domain.booking import Booking, Line
from advik_coupons.domain.pricing import apply_one, eligible_lines, price_stack, split
from advik_coupons.domain.terms import Terms

START = datetime(2026, 1, 1, tzinfo=UTC)


def terms(**overrides: object) -> Terms:
    base = Terms(coupon_id=1, code="DEEP20", discount_type="percent",
                 discount_value=Decimal("20"), starts_at=START)
    return replace(base, **overrides)  # type: ignore[arg-type]


LINES = (Line("deep", Decimal("140.00"), staff="maria", location="north"),
         Line("windows", Decimal("22.50"), quantity=2),
         Line("oven", Decimal("25.00"), staff="li", location="south"))
BASKET = Booking(subtotal=Decimal("210.00"), items=LINES)


def test_a_booking_without_lines_is_one_line() -> None:
    plain = Booking(subtotal=Decimal("80.00"))
    assert eligible_lines(terms(), plain) == (True,)
    assert eligible_lines(terms(exclude_services=frozenset({"deep"})), plain) == (True,)
    assert eligible_lines(terms(services=frozenset({"deep"})), plain) == (False,)
    assert apply_one(terms(), plain, [Decimal("80.00")]).discount == Decimal("16.00")


def test_lists_pick_the_lines() -> None:
    assert eligible_lines(terms(services=frozenset({"deep"})), BASKET) == (True, False, False)
    assert eligible_lines(terms(exclude_services=frozenset({"deep"})), BASKET) == (
        False, True, True)
    # a line without staff or location does not pass a non-empty list
    assert eligible_lines(terms(staff=frozenset({"maria", "li"})), BASKET) == (True, False, True)
    assert eligible_lines(terms(locations=frozenset({"south"})), BASKET) == (False, False, True)
    assert eligible_lines(terms(services=frozenset({"deep", "oven"}),
                                exclude_services=frozenset({"oven"})), BASKET) == (
        True, False, False)


def test_percent_of_the_eligible_lines_split_to_the_cent() -> None:
    applied = apply_one(terms(services=frozenset({"deep", "windows"})), BASKET,
                        [line.amount for line in LINES])
    assert applied.discount == Decimal("37.00")  # 20 % of 185.00
    assert applied.lines == (Decimal("28.00"), Decimal("9.00"), Decimal("0.00"))


def test_fixed_is_capped_by_the_eligible_amount_then_max_discount() -> None:
    amounts = [line.amount for line in LINES]
    fixed = terms(discount_type="fixed", discount_value=Decimal("50"),
                  services=frozenset({"oven"}))
    assert apply_one(fixed, BASKET, amounts).discount == Decimal("25.00")
    capped = terms(discount_value=Decimal("50"), max_discount=Decimal("30"))
    assert apply_one(capped, BASKET, amounts).discount == Decimal("30.00")
    assert sum(apply_one(capped, BASKET, amounts).lines) == Decimal("30.00")


def test_largest_remainder_hands_out_the_last_cents() -> None:
    assert split(Decimal("0.10"), [Decimal("1.00")] * 3, [True] * 3) == [
        Decimal("0.04"), Decimal("0.03"), Decimal("0.03")]
    assert split(Decimal("5.00"), [Decimal("1"), Decimal("9")], [False, True]) == [
        Decimal("0.00"), Decimal("5.00")]


def test_combined_coupons_apply_to_what_the_earlier_left() -> None:
    first = terms(code="A", discount_type="fixed", discount_value=Decimal("150"),
                  combinable=True)
    second = terms(code="B", discount_value=Decimal("50"), combinable=True)
    mine, together = price_stack(BASKET, [first], second)
    assert mine.discount == Decimal("30.00")  # 50 % of the 60.00 left
    assert together == Decimal("180.00")
    nothing_left = terms(code="C", discount_type="fixed", discount_value=Decimal("500"))
    mine, together = price_stack(BASKET, [nothing_left], second)
    assert (mine.discount, together) == (Decimal("0.00"), Decimal("210.00"))


def test_not_discounted_is_recorded_at_zero() -> None:
    applied = apply_one(terms(), BASKET, [line.amount for line in LINES], discounted=False)
    assert applied.discount == 0 and set(applied.lines) == {Decimal("0.00")}


MONEY = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2,
                    allow_nan=False, allow_infinity=False)
LINE = st.builds(Line, service=st.sampled_from(["deep", "windows", "oven", "laundry"]),
                 unit_price=MONEY, quantity=st.integers(1, 20),
                 staff=st.sampled_from([None, "maria", "li"]),
                 location=st.sampled_from([None, "north", "south"]))
TERMS = st.builds(
    terms,
    discount_type=st.sampled_from(["percent", "fixed"]),
    discount_value=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
    max_discount=st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"),
                                                  max_value=Decimal("300"), places=2)),
    services=st.frozensets(st.sampled_from(["deep", "windows", "oven"]), max_size=2),
    staff=st.frozensets(st.sampled_from(["maria", "li"]), max_size=1),
    combinable=st.just(True))


@settings(max_examples=300, derandomize=True)
@given(lines=st.lists(LINE, min_size=1, max_size=8), coupons=st.lists(TERMS, min_size=1,
                                                                      max_size=3))
def test_lines_add_up_and_coupons_never_exceed_the_subtotal(lines: list[Line],
                                                            coupons: list[Terms]) -> None:
    seen = {(line.service, line.staff, line.location) for line in lines}
    if len(seen) < len(lines):
        return
    basket = Booking(subtotal=sum((line.amount for line in lines), Decimal("0")),
                     items=tuple(lines))
    mine, together = price_stack(basket, coupons[:-1], coupons[-1])
    assert sum(mine.lines) == mine.discount
    assert Decimal("0") <= mine.discount and together <= basket.subtotal
    for share, line, eligible in zip(mine.lines, lines, mine.eligible, strict=True):
        assert Decimal("0") <= share <= line.amount
        assert eligible or share == 0
    last = coupons[-1]
    if last.max_discount is not None:
        assert mine.discount <= last.max_discount
