"""What a coupon takes off a booking: its eligible lines, caps, and the split per line.

A coupon applies to the lines whose service, staff and location pass its
lists (a line with no staff or location does not pass a non-empty list;
``exclude_services`` never passes); a booking without lines is one line of
its subtotal. A percentage is taken of the eligible amount (half-up to the
currency's minor unit: the yen, the cent, the fils), a fixed amount is capped
by it, then ``max_discount`` caps the result. The discount is split across the
eligible lines in proportion to their amounts, to that unit, by largest
remainder, so the lines always add up to the discount exactly.

Coupons combined on one booking each apply to what the ones before them
left of every line (:func:`price_stack`), so together they never exceed the
subtotal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from .booking import Booking, Line
from .money import DEFAULT_CURRENCY, as_str, discount_amount, to_unit, unit
from .terms import Terms

ZERO = Decimal("0.00")


def line_passes(terms: Terms, line: Line | None) -> bool:
    """Whether the coupon applies to ``line`` (``None``: a booking without lines)."""
    if line is None:
        return not (terms.services or terms.staff or terms.locations)
    if line.service in terms.exclude_services:
        return False
    if terms.services and line.service not in terms.services:
        return False
    if terms.staff and line.staff not in terms.staff:
        return False
    return not (terms.locations and line.location not in terms.locations)


def eligible_lines(terms: Terms, booking: Booking) -> tuple[bool, ...]:
    if not booking.items:
        return (line_passes(terms, None),)
    return tuple(line_passes(terms, line) for line in booking.items)


def discount_on(terms: Terms, eligible_amount: Decimal,
                currency: str = DEFAULT_CURRENCY) -> Decimal:
    """The coupon's discount on an eligible amount: percent or fixed, then ``max_discount``."""
    amount = discount_amount(terms.discount_type, terms.discount_value, eligible_amount,
                             currency)
    if terms.max_discount is not None:
        amount = min(amount, to_unit(terms.max_discount, currency))
    return amount


def split(total: Decimal, amounts: Sequence[Decimal], mask: Sequence[bool],
          currency: str = DEFAULT_CURRENCY) -> list[Decimal]:
    """``total`` over the lines of ``mask`` in proportion to ``amounts``, to the unit.

    Largest remainder: every line gets its share rounded down, and the units
    left go one each to the lines with the largest remainders (the earlier
    line first on a tie). No line gets more than its amount.
    """
    step = unit(currency)
    zero = to_unit(ZERO, currency)
    weights = [a if m else zero for a, m in zip(amounts, mask, strict=True)]
    whole = sum(weights, zero)
    if total <= 0 or whole <= 0:
        return [zero for _ in amounts]
    exact = [total * w / whole for w in weights]
    shares = [e.quantize(step, rounding=ROUND_DOWN) for e in exact]
    left = int((total - sum(shares, zero)) / step)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += step
    return shares


@dataclass(frozen=True)
class Applied:
    """One coupon's part of a booking's price: its discount and the split per line."""

    terms: Terms
    discount: Decimal
    lines: tuple[Decimal, ...]
    eligible: tuple[bool, ...]


def apply_one(terms: Terms, booking: Booking, remaining: Sequence[Decimal],
              *, discounted: bool = True, currency: str = DEFAULT_CURRENCY) -> Applied:
    """The coupon on what is left of each line (``discounted`` False: recorded at 0)."""
    mask = eligible_lines(terms, booking)
    zero = to_unit(ZERO, currency)
    amount = sum((r for r, m in zip(remaining, mask, strict=True) if m), zero)
    total = discount_on(terms, amount, currency) if discounted else zero
    return Applied(terms, total, tuple(split(total, remaining, mask, currency)), mask)


def remaining_after(booking: Booking, given: Sequence[Sequence[Decimal]],
                    currency: str = DEFAULT_CURRENCY) -> list[Decimal]:
    """What is left of each line after the discounts already ``given`` on it."""
    left = [to_unit(a, currency) for a in booking.amounts]
    for lines in given:
        left = [r - d for r, d in zip(left, lines, strict=True)]
    return left


def price_stack(booking: Booking, earlier: Sequence[Terms], terms: Terms,
                *, discounted: bool = True,
                currency: str = DEFAULT_CURRENCY) -> tuple[Applied, Decimal]:
    """``terms`` after the ``earlier`` coupons of the booking, each on what the ones
    before it left. Returns this coupon's part and the discount of all of them."""
    parts: list[Applied] = []
    for other in earlier:
        left = remaining_after(booking, [p.lines for p in parts], currency)
        parts.append(apply_one(other, booking, left, currency=currency))
    mine = apply_one(terms, booking, remaining_after(booking, [p.lines for p in parts], currency),
                     discounted=discounted, currency=currency)
    return mine, sum((p.discount for p in parts), ZERO) + mine.discount


def line_json(booking: Booking, applied: Applied,
              currency: str = DEFAULT_CURRENCY) -> list[dict[str, object]]:
    """The booking's lines with this coupon's discount on each (``[]`` without lines)."""
    return [{**line.as_json(currency), "discount": as_str(share, currency),
             "eligible": eligible}
            for line, share, eligible in zip(booking.items, applied.lines, applied.eligible,
                                             strict=True)]
