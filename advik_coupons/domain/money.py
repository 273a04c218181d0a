"""Money: ``Decimal`` to the cent, half-up, never float. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: The largest amount the money columns keep (12 digits, 2 after the point).
MAX_MONEY = Decimal("9999999999.99")
TOTAL_TOO_LARGE = f"With tax the total would be above {MAX_MONEY}."

#: An amount as people and JSON write it: ASCII digits only (``Decimal`` alone would
#: also read ``1_000`` and Arabic-Indic digits).
_AMOUNT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "AUD": "A$",
            "CAD": "C$", "NZD": "NZ$"}


def cents(value: Decimal) -> Decimal:
    """Round half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_str(value: Decimal) -> str:
    """Money on the wire: a string with two decimals."""
    return str(cents(value))


def format_money(value: Decimal, currency: str = "USD") -> str:
    """``$1,234.50`` for people; unknown currencies read ``1,234.50 XYZ``."""
    amount = f"{cents(value):,.2f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


@dataclass(frozen=True)
class Price:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal

    def as_json(self) -> dict[str, str]:
        return {"subtotal": as_str(self.subtotal), "discount": as_str(self.discount),
                "tax": as_str(self.tax), "total": as_str(self.total)}


def discount_amount(discount_type: str, value: Decimal, subtotal: Decimal) -> Decimal:
    """The discount on ``subtotal``: percent rounds half-up; never above the subtotal."""
    subtotal = cents(subtotal)
    if subtotal <= 0:
        return Decimal("0.00")
    if discount_type == "percent":
        amount = cents(subtotal * value / HUNDRED)
    elif discount_type == "fixed":
        amount = cents(value)
    else:
        raise ValueError(f"unknown discount type {discount_type!r}")
    return max(Decimal("0.00"), min(amount, subtotal))


def price(subtotal: Decimal, discount: Decimal, tax_rate: Decimal) -> Price:
    """Tax on the post-discount subtotal, half-up; total = subtotal - discount + tax."""
    subtotal = cents(subtotal)
    discount = cents(discount)
    taxable = subtotal - discount
    tax = cents(taxable * tax_rate / HUNDRED)
    return Price(subtotal=subtotal, discount=discount, tax=tax, total=taxable + tax)


def combined_price(subtotal: Decimal, own: Decimal, together: Decimal,
                   tax_rate: Decimal) -> Price:
    """One coupon's own discount, with the tax and total of the booking after every
    coupon applied to it (``together`` is all their discounts; ``own`` is part of it)."""
    whole = price(subtotal, together, tax_rate)
    return Price(subtotal=whole.subtotal, discount=cents(own), tax=whole.tax, total=whole.total)


def total_fits(subtotal: Decimal, tax_rate: Decimal) -> bool:
    """Whether the booking's total before any discount (its largest) fits :data:`MAX_MONEY`."""
    return price(subtotal, Decimal("0"), tax_rate).total <= MAX_MONEY


def is_amount_text(text: str) -> bool:
    """Whether ``text`` is written as an amount (``120``, ``120.50``, ``1E+2``)."""
    return _AMOUNT.fullmatch(text) is not None
