"""Money: ``Decimal`` to the currency's minor unit, half-up, never float. Pure functions.

How many decimals a currency has is ISO 4217's minor unit as Babel's CLDR data
gives it (JPY 0, USD 2, KWD 3), looked up once per currency per process. Every
amount the engine computes is rounded half-up to that unit; the wire carries
exactly that many decimals (``"1235"``, ``"12.00"``, ``"1.250"``); people read
amounts formatted for their locale (``$1,234.50``, ``1.234,50 €``, ``¥1,235``).
The database keeps three decimals, enough for every currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision

#: The largest amount the money columns keep (12 digits, 2 after the point).
MAX_MONEY = Decimal("9999999999.99")
TOTAL_TOO_LARGE = f"With tax the total would be above {MAX_MONEY}."

#: An amount as people and JSON write it: ASCII digits only (``Decimal`` alone would
#: also read ``1_000`` and Arabic-Indic digits).
_AMOUNT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")

HUNDRED = Decimal("100")
#: The decimals the database keeps for every amount (KWD, BHD, OMR... have three).
STORED_PLACES = 3
DEFAULT_CURRENCY = "USD"
CENT = Decimal("0.01")
_CODE_BEFORE = re.compile(r"^(-?[A-Z]{3})(?=\d)")
_CODE_AFTER = re.compile(r"(\d)([A-Z]{3})$")


@lru_cache(maxsize=256)
def minor_units(currency: str = DEFAULT_CURRENCY) -> int:
    """ISO 4217 minor unit of ``currency`` (CLDR data: JPY 0, USD 2, KWD 3; unknown 2)."""
    return int(get_currency_precision(currency.upper()))


@lru_cache(maxsize=256)
def unit(currency: str = DEFAULT_CURRENCY) -> Decimal:
    """The currency's smallest amount: ``1`` for JPY, ``0.01`` for USD, ``0.001`` for KWD."""
    return Decimal(1).scaleb(-minor_units(currency))


def to_unit(value: Decimal, currency: str = DEFAULT_CURRENCY) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return value.quantize(unit(currency), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    """Round half-up to the cent (a two-decimal currency)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_str(value: Decimal, currency: str = DEFAULT_CURRENCY) -> str:
    """Money on the wire: a plain string with the currency's decimals (``"1235"``, ``"1.250"``)."""
    return f"{to_unit(value, currency):f}"


def fits_unit(value: Decimal, currency: str = DEFAULT_CURRENCY) -> bool:
    """Whether ``value`` has no more decimals than the currency has (a ``400`` otherwise)."""
    return value.is_finite() and value == to_unit(value, currency)


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    """The Babel locale of a tag (``pt-BR`` or ``pt_BR``); ``en`` for one it does not know."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def format_money(value: Decimal, currency: str = DEFAULT_CURRENCY, locale: str = "en") -> str:
    """An amount for people, in the locale's way: ``$1,234.50``, ``1.234,50 €``, ``¥1,235``.

    A currency shown by its code is kept apart from the digits by a no-break space
    (CLDR's currency spacing, which Babel leaves out): ``KWD 1.250``.
    """
    code = currency.upper()
    text = str(format_currency(to_unit(value, code), code, locale=babel_locale(locale),
                               currency_digits=True))
    return _CODE_BEFORE.sub("\\1\xa0", _CODE_AFTER.sub("\\1\xa0\\2", text))


@dataclass(frozen=True)
class Price:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    currency: str = DEFAULT_CURRENCY

    def as_json(self) -> dict[str, str]:
        c = self.currency
        return {"subtotal": as_str(self.subtotal, c), "discount": as_str(self.discount, c),
                "tax": as_str(self.tax, c), "total": as_str(self.total, c)}


def discount_amount(discount_type: str, value: Decimal, subtotal: Decimal,
                    currency: str = DEFAULT_CURRENCY) -> Decimal:
    """The discount on ``subtotal``: percent rounds half-up to the currency's unit;
    never above the subtotal."""
    subtotal = to_unit(subtotal, currency)
    zero = to_unit(Decimal(0), currency)
    if subtotal <= 0:
        return zero
    if discount_type == "percent":
        amount = to_unit(subtotal * value / HUNDRED, currency)
    elif discount_type == "fixed":
        amount = to_unit(value, currency)
    else:
        raise ValueError(f"unknown discount type {discount_type!r}")
    return max(zero, min(amount, subtotal))


def price(subtotal: Decimal, discount: Decimal, tax_rate: Decimal,
          currency: str = DEFAULT_CURRENCY) -> Price:
    """Tax on the post-discount subtotal, half-up; total = subtotal - discount + tax."""
    subtotal = to_unit(subtotal, currency)
    discount = to_unit(discount, currency)
    taxable = subtotal - discount
    tax = to_unit(taxable * tax_rate / HUNDRED, currency)
    return Price(subtotal=subtotal, discount=discount, tax=tax, total=taxable + tax,
                 currency=currency)


def combined_price(subtotal: Decimal, own: Decimal, together: Decimal,
                   tax_rate: Decimal, currency: str = DEFAULT_CURRENCY) -> Price:
    """One coupon's own discount, with the tax and total of the booking after every
    coupon applied to it (``together`` is all their discounts; ``own`` is part of it)."""
    whole = price(subtotal, together, tax_rate, currency)
    return Price(subtotal=whole.subtotal, discount=to_unit(own, currency), tax=whole.tax,
                 total=whole.total, currency=currency)


def total_fits(subtotal: Decimal, tax_rate: Decimal) -> bool:
    """Whether the booking's total before any discount (its largest) fits :data:`MAX_MONEY`."""
    return price(subtotal, Decimal("0"), tax_rate).total <= MAX_MONEY


def is_amount_text(text: str) -> bool:
    """Whether ``text`` is written as an amount (``120``, ``120.50``, ``1E+2``)."""
    return _AMOUNT.fullmatch(text) is not None
