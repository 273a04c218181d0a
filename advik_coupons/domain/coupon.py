"""A coupon's fields as a site owner writes them: the one list of them.

:data:`FIELDS` names every field of ``docs/contracts.md`` §1 that a create or
update may set, with its kind, its default, its choices and the words the
admin form shows. The form (:mod:`advik_coupons.web.forms`), the JSON API's
bodies and answers (:mod:`advik_coupons.services.serialize`), the service
that stores a coupon and the demo's coupons all read this list, so a field
added here cannot be missing from one of them.

Kinds: ``text``, ``longtext``, ``code``, ``choice``, ``money`` (``optional``:
none or more than 0), ``count`` (a positive whole number or none), ``flag``,
``set`` (a subset of the choices), ``moment`` (an aware date-time; a bare
date is the start of that day, or its end when ``inclusive_end``), ``ids``
(the host's ids of services, staff or locations), ``emails`` (addresses and
``@domain`` entries) and ``hours`` (time-of-day windows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .booking import BOOKING_TYPES
from .messages import (
    AUDIENCE_LABELS,
    BOOKING_TYPE_LABELS,
    DAY_LABELS,
    DISCOUNT_TYPE_LABELS,
    SCOPE_LABELS,
)
from .terms import AUDIENCES, DISCOUNT_TYPES, RECURRING_SCOPES, WEEKDAYS

#: The moments a coupon may start or end at (UTC): far enough from the calendar's ends
#: that a day added or a time zone applied never leaves it.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 12, 31, 23, 59, 59, tzinfo=UTC)
MOMENT_RANGE = f"Use a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}."
MAX_USES = 2_000_000_000
KINDS = ("text", "longtext", "code", "choice", "money", "count", "flag", "set", "moment",
         "ids", "emails", "hours")
#: An id of the host's (a service, a member of staff, a location).
ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_IDS = 200
MAX_EMAILS = 1000
MAX_WINDOWS = 24


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
    #: Money that may be left empty, and is more than 0 when given.
    optional: bool = False

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
    FieldSpec("services", "ids", "Services", default=frozenset(),
              help="The ids of the services it applies to, separated by commas. "
                   "Empty: every service."),
    FieldSpec("exclude_services", "ids", "Never for these services", default=frozenset(),
              help="Service ids it never applies to, separated by commas."),
    FieldSpec("staff", "ids", "Staff", default=frozenset(),
              help="Only bookings with these staff members (ids, separated by commas). "
                   "Empty: anyone."),
    FieldSpec("locations", "ids", "Locations", default=frozenset(),
              help="Only bookings at these locations (ids, separated by commas). "
                   "Empty: every location."),
    FieldSpec("hours", "hours", "Hours", default=(),
              help="Times of day in the site's time zone, e.g. 09:00-12:00, 14:00-17:00 "
                   "(the end is not included). Empty: any time."),
    FieldSpec("max_discount", "money", "Largest discount per booking", optional=True,
              help="Optional cap on the discount of one booking."),
    FieldSpec("uses_per_customer", "count", "Uses per customer",
              help="How many times each customer (by e-mail) may use it. Empty: no limit."),
    FieldSpec("allowed_emails", "emails", "Only these customers", default=(),
              help="E-mail addresses or @domain entries (that domain exactly), one per line. "
                   "Empty: anyone."),
    FieldSpec("audience_days", "count", "Days without a booking",
              help="For customers who haven't booked for a while: how many days."),
    FieldSpec("audience_min_bookings", "count", "Bookings needed",
              help="For regular customers: how many confirmed bookings they need."),
    FieldSpec("recurring_occurrences", "count", "Discounted bookings of a series",
              help="For the first bookings of a series: how many are discounted."),
    FieldSpec("combinable", "flag", "Can be combined with other coupons", default=False,
              help="Only coupons that all allow it apply together to one booking."),
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


def in_range(moment: datetime) -> bool:
    """Whether an aware ``moment`` lies between :data:`EARLIEST` and :data:`LATEST`."""
    try:
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except (OverflowError, ValueError):  # 0001-01-01 at +14:00 is before year 1 in UTC
        return False
