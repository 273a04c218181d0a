"""A coupon's fields as a site owner writes them: the one list of them.

:data:`FIELDS` names every field of ``docs/contracts.md`` §1 that a create or
update may set, with its kind, its default, its choices and the words the
admin form shows. The form (:mod:`advik_coupons.web.forms`), the JSON API's
bodies and answers (:mod:`advik_coupons.services.serialize`), the service
that stores a coupon and the demo's coupons all read this list, so a field
added here cannot be missing from one of them.

Kinds: ``text``, ``longtext``, ``code``, ``choice``, ``money``, ``count``
(a positive whole number or none), ``flag``, ``set`` (a subset of the
choices) and ``moment`` (an aware date-time; a bare date is the start of
that day, or its end when ``inclusive_end``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .messages import (
    AUDIENCE_LABELS,
    BOOKING_TYPE_LABELS,
    DAY_LABELS,
    DISCOUNT_TYPE_LABELS,
    SCOPE_LABELS,
)
from .rules import AUDIENCES, BOOKING_TYPES, DISCOUNT_TYPES, RECURRING_SCOPES, WEEKDAYS

MAX_MONEY = Decimal("9999999999.99")
MAX_USES = 2_000_000_000
KINDS = ("text", "longtext", "code", "choice", "money", "count", "flag", "set", "moment")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    label: str
    default: Any = None
    help: str = ""
    required: bool = False
    required_message: str = "This field is required."
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    max_length: int | None = None
    inclusive_end: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "text", "Name", required=True, required_message="Enter a name.",
              max_length=120,
              help="For your team only; customers never see it."),
    FieldSpec("description", "longtext", "Description", default="", max_length=2000,
              help="Internal notes."),
    FieldSpec("code", "code", "Coupon code", max_length=50,
              help="What customers type. Letters, digits, - and _."),
    FieldSpec("discount_type", "choice", "Discount type", default="percent",
              choices=DISCOUNT_TYPES, choice_labels=DISCOUNT_TYPE_LABELS),
    FieldSpec("discount_value", "money", "Discount value", required=True,
              required_message="Enter the discount."),
    FieldSpec("audience", "choice", "Who can use it", default="all", choices=AUDIENCES,
              choice_labels=AUDIENCE_LABELS),
    FieldSpec("starts_at", "moment", "Starts",
              help="Empty: now. A date: the start of that day."),
    FieldSpec("ends_at", "moment", "Ends", inclusive_end=True,
              help="Optional. A date: the end of that day (inclusive)."),
    FieldSpec("days_of_week", "set", "Days of the week", default=frozenset(),
              choices=WEEKDAYS, choice_labels=DAY_LABELS, help="None ticked: every day."),
    FieldSpec("max_uses", "count", "Max uses", help="Total redemptions. Empty: unlimited."),
    FieldSpec("once_per_customer", "flag", "Once per customer (by e-mail)", default=False),
    FieldSpec("min_subtotal", "money", "Minimum amount", default=Decimal("0"),
              help="0: no minimum."),
    FieldSpec("max_subtotal", "money", "Maximum amount", default=Decimal("0"),
              help="0: no maximum."),
    FieldSpec("booking_types", "set", "Booking types", default=frozenset(BOOKING_TYPES),
              choices=BOOKING_TYPES, choice_labels=BOOKING_TYPE_LABELS),
    FieldSpec("recurring_scope", "choice", "Recurring bookings", default="first",
              choices=RECURRING_SCOPES, choice_labels=SCOPE_LABELS),
    FieldSpec("active", "flag", "Active", default=True),
)

BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
#: The fields stored on the coupon's own row (the code lives in the codes table).
TERM_FIELDS: tuple[str, ...] = tuple(n for n in FIELD_NAMES if n != "code")
#: What a coupon answer carries besides :data:`FIELDS`; sent back in a PATCH, ignored.
READ_ONLY: tuple[str, ...] = ("id", "used", "archived", "status", "created_at", "updated_at")


def defaults() -> dict[str, Any]:
    """A new coupon's values before the owner changes any (``docs/contracts.md`` §1)."""
    return {f.name: f.default for f in FIELDS}


def ordered(spec: FieldSpec, chosen: Any) -> list[str]:
    """A ``set`` field's value as a list in the order of its choices."""
    picked = set(chosen.split(",")) if isinstance(chosen, str) else set(chosen or ())
    return [c for c in spec.choices if c in picked]
