"""Property tests of the money rules (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from advik_coupons.domain.money import discount_amount, price

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2,
                       allow_nan=False, allow_infinity=False)
fixed = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2,
                    allow_nan=False, allow_infinity=False)
tax_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("30"), places=3,
                        allow_nan=False, allow_infinity=False)
kinds = st.sampled_from(["percent", "fixed"])


@given(kinds, fixed, amounts)
def test_discount_is_never_negative_nor_above_the_subtotal(kind: str, value: Decimal,
                                                           subtotal: Decimal) -> None:
    if kind == "percent":
        value = min(value, Decimal("100"))
    d = discount_amount(kind, value, subtotal)
    assert Decimal("0") <= d <= subtotal
    assert d == d.quantize(Decimal("0.01"))


@given(kinds, fixed, amounts, tax_rates)
def test_total_is_subtotal_minus_discount_plus_tax_to_the_cent(
        kind: str, value: Decimal, subtotal: Decimal, rate: Decimal) -> None:
    if kind == "percent":
        value = min(value, Decimal("100"))
    p = price(subtotal, discount_amount(kind, value, subtotal), rate)
    assert p.total == p.subtotal - p.discount + p.tax
    assert p.tax >= 0
    for part in (p.subtotal, p.discount, p.tax, p.total):
        assert part == part.quantize(Decimal("0.01"))


@given(percents, amounts)
def test_percentage_rounds_half_up(value: Decimal, subtotal: Decimal) -> None:
    exact = subtotal * value / Decimal(100)
    expected = min(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), subtotal)
    assert discount_amount("percent", value, subtotal) == expected
    # Half-up: the rounded value is never more than half a cent below the exact one.
    if expected < subtotal:
        assert exact - expected < Decimal("0.005")
        assert expected - exact <= Decimal("0.005")


@given(amounts)
def test_results_are_decimal_never_float(subtotal: Decimal) -> None:
    p = price(subtotal, discount_amount("percent", Decimal("10"), subtotal), Decimal("7.5"))
    assert all(isinstance(x, Decimal) for x in (p.subtotal, p.discount, p.tax, p.total))
