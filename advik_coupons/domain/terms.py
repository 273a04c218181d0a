"""A coupon's terms as the rules read them, and the part a recurring series keeps.

:class:`Terms` is what the rules and the pricing need of a coupon and of the
code typed. A series keeps the terms it started with (``docs/contracts.md``
§3 and §7): :meth:`Terms.kept` is that part, stored with every redemption (a series
uses its first's), and :meth:`Terms.from_kept` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from .booking import BOOKING_TYPES

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DISCOUNT_TYPES: tuple[str, ...] = ("percent", "fixed")
AUDIENCES: tuple[str, ...] = ("all", "existing", "new", "lapsed", "loyal")
RECURRING_SCOPES: tuple[str, ...] = ("first", "all", "first_n")


@dataclass(frozen=True, order=True)
class Window:
    """A time-of-day window in the site's time zone: ``start`` included, ``end`` not."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("a window's start must be before its end")

    def contains(self, moment: time) -> bool:
        return self.start <= moment.replace(second=0, microsecond=0) < self.end

    def as_json(self) -> dict[str, str]:
        return {"from": f"{self.start:%H:%M}", "to": f"{self.end:%H:%M}"}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Window:
        return cls(time.fromisoformat(data["from"]), time.fromisoformat(data["to"]))


@dataclass(frozen=True)
class Terms:
    """What the rules need of a coupon and the code typed."""

    coupon_id: int
    code: str
    discount_type: str
    discount_value: Decimal
    starts_at: datetime
    ends_at: datetime | None = None
    audience: str = "all"
    days_of_week: frozenset[str] = frozenset()
    max_uses: int | None = None
    used: int = 0
    once_per_customer: bool = False
    min_subtotal: Decimal = Decimal("0")
    max_subtotal: Decimal = Decimal("0")
    booking_types: frozenset[str] = frozenset(BOOKING_TYPES)
    recurring_scope: str = "first"
    active: bool = True
    archived: bool = False
    code_single_use: bool = False
    code_used: bool = False
    #: The customer a batch code was made for (a canonical e-mail), if any.
    code_email: str | None = None
    services: frozenset[str] = frozenset()
    exclude_services: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()
    locations: frozenset[str] = frozenset()
    hours: tuple[Window, ...] = ()
    max_discount: Decimal | None = None
    uses_per_customer: int | None = None
    allowed_emails: tuple[str, ...] = ()
    audience_days: int | None = None
    audience_min_bookings: int | None = None
    recurring_occurrences: int | None = None
    combinable: bool = False

    def with_used(self, used: int) -> Terms:
        return replace(self, used=used)

    @property
    def uses_limit(self) -> int | None:
        """Redemptions each customer may make (``once_per_customer`` is one)."""
        if self.uses_per_customer is not None:
            return self.uses_per_customer
        return 1 if self.once_per_customer else None

    @property
    def targets_lines(self) -> bool:
        """Whether the coupon applies to some lines only (services, staff, locations)."""
        return bool(self.services or self.exclude_services or self.staff or self.locations)

    @property
    def needs_email(self) -> bool:
        return (self.audience != "all" or self.uses_limit is not None
                or bool(self.allowed_emails) or self.code_email is not None)

    def discounts_occurrence(self, occurrence: int, *, first: bool) -> bool:
        """Whether a booking of a recurring series gets this coupon's discount."""
        if self.recurring_scope == "all":
            return True
        if self.recurring_scope == "first_n":
            return occurrence < (self.recurring_occurrences or 1)
        return first

    def kept(self) -> dict[str, Any]:
        """The terms a redemption was priced with, as JSON (a series keeps its first's)."""
        return {
            "discount_type": self.discount_type, "discount_value": str(self.discount_value),
            "recurring_scope": self.recurring_scope,
            "recurring_occurrences": self.recurring_occurrences,
            "max_discount": str(self.max_discount) if self.max_discount is not None else None,
            "min_subtotal": str(self.min_subtotal), "max_subtotal": str(self.max_subtotal),
            "services": sorted(self.services), "exclude_services": sorted(self.exclude_services),
            "staff": sorted(self.staff), "locations": sorted(self.locations),
            "combinable": self.combinable,
        }

    @classmethod
    def from_kept(cls, coupon_id: int, code: str, data: dict[str, Any],
                    starts_at: datetime) -> Terms:
        """The terms a redemption was priced with (:meth:`kept`)."""
        cap = data.get("max_discount")
        return cls(
            coupon_id=coupon_id, code=code, starts_at=starts_at,
            discount_type=str(data["discount_type"]),
            discount_value=Decimal(str(data["discount_value"])),
            recurring_scope=str(data.get("recurring_scope") or "first"),
            recurring_occurrences=data.get("recurring_occurrences"),
            max_discount=Decimal(str(cap)) if cap is not None else None,
            min_subtotal=Decimal(str(data.get("min_subtotal") or "0")),
            max_subtotal=Decimal(str(data.get("max_subtotal") or "0")),
            services=frozenset(data.get("services") or ()),
            exclude_services=frozenset(data.get("exclude_services") or ()),
            staff=frozenset(data.get("staff") or ()),
            locations=frozenset(data.get("locations") or ()),
            combinable=bool(data.get("combinable", False)),
            booking_types=frozenset({"recurring"}))
