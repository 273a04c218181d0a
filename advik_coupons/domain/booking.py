"""What is booked: the booking a code is applied to, and its lines.

A booking is a subtotal, or lines (service, staff, location, quantity, unit
price) whose amounts add up to it, plus what the rules ask of it: the
customer's e-mail, the appointment's local date and time, one-time or
recurring, the host's references, and the codes already applied to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from .money import DEFAULT_CURRENCY, as_str

BOOKING_TYPES: tuple[str, ...] = ("one_time", "recurring")
MAX_LINES = 100
MAX_QUANTITY = 1000


@dataclass(frozen=True)
class Line:
    """One line of a booking: ``quantity`` × ``unit_price`` of a service."""

    service: str
    unit_price: Decimal
    quantity: int = 1
    staff: str | None = None
    location: str | None = None

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    def as_json(self, currency: str = DEFAULT_CURRENCY) -> dict[str, object]:
        return {"service": self.service, "staff": self.staff, "location": self.location,
                "quantity": self.quantity, "unit_price": as_str(self.unit_price, currency)}


@dataclass(frozen=True)
class Booking:
    """The booking a code is applied to. ``subtotal`` is before discount and tax."""

    subtotal: Decimal
    email: str | None = None
    booking_date: date | None = None
    booking_type: str = "one_time"
    booking_ref: str | None = None
    series_ref: str | None = None
    occurrence: int = 0
    items: tuple[Line, ...] = ()
    booking_time: time | None = None
    other_codes: tuple[str, ...] = ()

    @property
    def email_key(self) -> str | None:
        """The e-mail lower-cased (the canonical key comes from the rules' context)."""
        return self.email.strip().lower() if self.email else None

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        """Each line's amount; without lines, the subtotal as one line."""
        if not self.items:
            return (self.subtotal,)
        return tuple(line.amount for line in self.items)
