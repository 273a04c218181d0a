"""The eligibility rules (``docs/contracts.md`` §2), as pure functions.

No Flask, no database: a coupon's terms, the booking, what is known of the
customer and ``now`` (an aware datetime) go in; :class:`CouponRejected` with
the first failing reason comes out, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Protocol

from .errors import CouponRejected
from .messages import DAY_LABELS, join_words, rejection_message
from .money import discount_amount, format_money

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DISCOUNT_TYPES: tuple[str, ...] = ("percent", "fixed")
AUDIENCES: tuple[str, ...] = ("all", "existing", "new")
BOOKING_TYPES: tuple[str, ...] = ("one_time", "recurring")
RECURRING_SCOPES: tuple[str, ...] = ("first", "all")


def start_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The last second of ``day`` in ``tz``: a bare end date is inclusive."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def format_day(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


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

    def with_used(self, used: int) -> Terms:
        return replace(self, used=used)


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

    @property
    def email_key(self) -> str | None:
        return self.email.strip().lower() if self.email else None


class CustomerHistory(Protocol):
    """What is known about a customer; asked only when a rule needs it."""

    def has_booked_before(self, email: str) -> bool: ...

    def has_used_coupon(self, email: str) -> bool: ...


@dataclass(frozen=True)
class Context:
    now: datetime
    tz: tzinfo
    currency: str = "USD"

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware datetime")


def _rejected(reason: str, variant: str | None = None, **values: str) -> CouponRejected:
    return CouponRejected(reason, rejection_message(reason, variant, **values))


def check_terms(terms: Terms | None, booking: Booking, ctx: Context) -> Terms:
    """Rules 1–9 (everything that needs no customer history). Returns the terms."""
    if terms is None:
        raise CouponRejected("not_found")
    if not terms.active or terms.archived:
        raise CouponRejected("inactive")
    now = ctx.now
    if now < terms.starts_at:
        raise _rejected("not_started", date=format_day(terms.starts_at, ctx.tz))
    if terms.ends_at is not None and now.replace(microsecond=0) > terms.ends_at:
        raise _rejected("expired", date=format_day(terms.ends_at, ctx.tz))
    if terms.code_used or (terms.max_uses is not None and terms.used >= terms.max_uses):
        raise CouponRejected("usage_limit_reached")
    if terms.min_subtotal > 0 and booking.subtotal < terms.min_subtotal:
        raise _rejected("below_minimum", amount=format_money(terms.min_subtotal, ctx.currency))
    if terms.max_subtotal > 0 and booking.subtotal > terms.max_subtotal:
        raise _rejected("above_maximum", amount=format_money(terms.max_subtotal, ctx.currency))
    if terms.days_of_week:
        day = booking.booking_date or ctx.now.astimezone(ctx.tz).date()
        if WEEKDAYS[day.weekday()] not in terms.days_of_week:
            allowed = [DAY_LABELS[d] for d in WEEKDAYS if d in terms.days_of_week]
            raise _rejected("day_not_allowed", days=join_words(allowed))
    if booking.booking_type not in terms.booking_types:
        kind = "recurring" if "recurring" in terms.booking_types else "one_time"
        raise _rejected("booking_type_not_allowed", kind)
    if (terms.audience != "all" or terms.once_per_customer) and not booking.email_key:
        raise CouponRejected("email_required")
    return terms


def check_customer(terms: Terms, booking: Booking, history: CustomerHistory) -> None:
    """Rules 10–11, which ask the customer's history (only when needed)."""
    email = booking.email_key
    if email is None:
        return
    if terms.audience != "all":
        booked = history.has_booked_before(email)
        if terms.audience == "new" and booked:
            raise CouponRejected("new_customers_only")
        if terms.audience == "existing" and not booked:
            raise CouponRejected("existing_customers_only")
    if terms.once_per_customer and history.has_used_coupon(email):
        raise CouponRejected("already_used")


def validate(terms: Terms | None, booking: Booking, ctx: Context,
             history: CustomerHistory) -> Terms:
    """All eleven rules in their published order; raises the first failure."""
    checked = check_terms(terms, booking, ctx)
    check_customer(checked, booking, history)
    return checked


def discount_for(terms: Terms, booking: Booking) -> Decimal:
    return discount_amount(terms.discount_type, terms.discount_value, booking.subtotal)

