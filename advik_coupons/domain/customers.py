"""What the rules may ask about a customer, and the audiences answered from it.

The rules ask only when a coupon needs it (an audience, a per-customer
limit): :class:`CustomerHistory` is answered by the booking ledger and the
redemptions (``advik_coupons.store.queries.LedgerHistory``), or by a host's
own ``ADVIK_CUSTOMER_LOOKUP``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol


@dataclass(frozen=True)
class CustomerFacts:
    """A customer's confirmed bookings (this one left out) and the date of the latest."""

    bookings: int = 0
    last_booked: date | None = None


class CustomerHistory(Protocol):
    """What is known about a customer (by canonical e-mail); asked only when a rule needs it."""

    def facts(self, email: str) -> CustomerFacts: ...

    def uses(self, email: str) -> int:
        """This coupon's live redemptions by the customer that took a use."""
        ...


def in_audience(audience: str, facts: CustomerFacts, today: date, *,
                days: int | None = None, min_bookings: int | None = None) -> bool:
    """``all``; ``new`` never booked; ``existing`` has booked; ``lapsed`` has booked but
    not in the last ``days`` days; ``loyal`` has at least ``min_bookings`` bookings."""
    if audience == "new":
        return facts.bookings == 0
    if audience == "existing":
        return facts.bookings > 0
    if audience == "lapsed":
        if facts.bookings == 0:
            return False
        cutoff = today - timedelta(days=days or 0)
        return facts.last_booked is not None and facts.last_booked <= cutoff
    if audience == "loyal":
        return facts.bookings >= (min_bookings or 1)
    return True
