"""Money by the currency's ISO 4217 minor unit: 0 (JPY), 2 (USD, EUR, BRL), 3 (KWD).

Property tests (hypothesis) of pricing for each kind of currency, the wire's
decimals and the amounts people read in each locale.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advik_coupons.domain.booking import Booking, Line
from advik_coupons.domain.money import (
    as_str,
    discount_amount,
    fits_unit,
    format_money,
    minor_units,
    price,
    unit,
)
from advik_coupons.domain.pricing import apply_one, remaining_after, split
from advik_coupons.domain.terms import Terms

CURRENCIES = {"JPY": 0, "KRW": 0, "USD": 2, "EUR": 2, "BRL": 2, "KWD": 3, "BHD": 3}
currencies = st.sampled_from(sorted(CURRENCIES))
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.999"), places=3,
                      allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2,
                       allow_nan=False, allow_infinity=False)
tax_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("30"), places=3,
                        allow_nan=False, allow_infinity=False)


def places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def test_minor_units_come_from_the_currency_data() -> None:
    assert {c: minor_units(c) for c in CURRENCIES} == CURRENCIES
    assert minor_units("jpy") == 0
    assert unit("KWD") == Decimal("0.001")


@pytest.mark.parametrize(("value", "currency", "wire"), [
    (Decimal("1234.5"), "JPY", "1235"), (Decimal("1234.4"), "JPY", "1234"),
    (Decimal("1.25"), "KWD", "1.250"), (Decimal("1.2345"), "KWD", "1.235"),
    (Decimal("12"), "USD", "12.00"), (Decimal("0.005"), "USD", "0.01"),
    (Decimal("0"), "JPY", "0"), (Decimal("12.000"), "EUR", "12.00"),
])
def test_the_wire_carries_the_currency_decimals(value: Decimal, currency: str,
                                                wire: str) -> None:
    assert as_str(value, currency) == wire


@pytest.mark.parametrize(("value", "currency", "locale", "shown"), [
    (Decimal("1234.5"), "EUR", "de", "1.234,50\xa0€"),
    (Decimal("1234.5"), "JPY", "en", "¥1,235"),
    (Decimal("1234.5"), "BRL", "pt_BR", "R$\xa01.234,50"),
    (Decimal("1234.5"), "USD", "en", "$1,234.50"),
    (Decimal("1.25"), "KWD", "en", "KWD\xa01.250"),
    (Decimal("1234.5"), "EUR", "fr", "1\u202f234,50\xa0€"),
    (Decimal("12345.5"), "EUR", "es", "12.345,50\xa0€"),
])
def test_shown_amounts_follow_the_locale_and_currency(value: Decimal, currency: str,
                                                      locale: str, shown: str) -> None:
    assert format_money(value, currency, locale) == shown


def test_an_unknown_locale_reads_english() -> None:
    assert format_money(Decimal("5"), "USD", "xx-YY") == "$5.00"


@pytest.mark.parametrize(("value", "currency", "fits"), [
    ("1235", "JPY", True), ("1235.0", "JPY", True), ("1235.5", "JPY", False),
    ("1.250", "KWD", True), ("1.2501", "KWD", False), ("12.345", "USD", False),
])
def test_more_decimals_than_the_currency_has_do_not_fit(value: str, currency: str,
                                                        fits: bool) -> None:
    assert fits_unit(Decimal(value), currency) is fits


@given(currencies, st.sampled_from(["percent", "fixed"]), percents, amounts)
def test_discount_is_in_the_currency_unit_and_never_above_the_subtotal(
        currency: str, kind: str, value: Decimal, subtotal: Decimal) -> None:
    d = discount_amount(kind, value, subtotal, currency)
    assert Decimal(0) <= d <= subtotal.quantize(unit(currency), rounding=ROUND_HALF_UP)
    assert places(d) == CURRENCIES[currency]


@given(currencies, percents, amounts)
def test_percentage_rounds_half_up_to_the_currency_unit(currency: str, value: Decimal,
                                                         subtotal: Decimal) -> None:
    step = Decimal(1).scaleb(-CURRENCIES[currency])
    whole = subtotal.quantize(step, rounding=ROUND_HALF_UP)
    exact = whole * value / 100
    got = discount_amount("percent", value, subtotal, currency)
    assert got == min(exact.quantize(step, rounding=ROUND_HALF_UP), whole)
    if got < whole:
        assert abs(exact - got) <= step / 2


@given(currencies, percents, amounts, tax_rates)
def test_total_adds_up_in_the_currency_unit(currency: str, value: Decimal, subtotal: Decimal,
                                            rate: Decimal) -> None:
    p = price(subtotal, discount_amount("percent", value, subtotal, currency), rate, currency)
    assert p.total == p.subtotal - p.discount + p.tax
    for part in (p.subtotal, p.discount, p.tax, p.total):
        assert places(part) == CURRENCIES[currency]
    wire = p.as_json()
    assert all(len(v.partition(".")[2]) == CURRENCIES[currency] for v in wire.values())
    assert all(Decimal(v) == getattr(p, k) for k, v in wire.items())


line_prices = st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.999"),
                                   places=3, allow_nan=False, allow_infinity=False),
                       min_size=1, max_size=6)


@given(currencies, line_prices, percents)
def test_lines_share_the_discount_exactly_in_the_currency_unit(
        currency: str, prices: list[Decimal], value: Decimal) -> None:
    booking = Booking(subtotal=sum(prices, Decimal(0)),
                      items=tuple(Line(service=f"s{i}", unit_price=p, quantity=1)
                                  for i, p in enumerate(prices)))
    terms = Terms(coupon_id=1, code="X", discount_type="percent", discount_value=value,
                  starts_at=datetime(2026, 1, 1, tzinfo=UTC))
    left = remaining_after(booking, [], currency)
    applied = apply_one(terms, booking, left, currency=currency)
    assert sum(applied.lines, Decimal(0)) == applied.discount
    assert all(places(s) == CURRENCIES[currency] for s in applied.lines)
    assert all(s <= r for s, r in zip(applied.lines, left, strict=True))


def test_a_yen_split_gives_whole_yen() -> None:
    assert split(Decimal("100"), [Decimal("1"), Decimal("1"), Decimal("1")],
                 [True, True, True], "JPY") == [Decimal("34"), Decimal("33"), Decimal("33")]
