"""The eligibility rules (``docs/contracts.md`` §2 and §7), as pure functions.

No Flask, no database: a coupon's terms, the booking, what is known of the
customer and ``now`` (an aware datetime) go in; :class:`CouponRejected` with
the first failing reason comes out, or nothing. The order is the public one:

1 ``not_found`` · 2 ``inactive`` · 3 ``not_started`` / ``expired`` ·
4 ``usage_limit_reached`` · 5 ``below_minimum`` · 6 ``above_maximum`` ·
7 ``day_not_allowed`` · 8 ``time_not_allowed`` · 9 ``booking_type_not_allowed`` ·
10 ``no_eligible_items`` · 11 ``email_required`` · 12 ``customer_not_eligible`` ·
13 ``new_customers_only`` / ``existing_customers_only`` / ``lapsed_customers_only`` /
``loyal_customers_only`` · 14 ``already_used`` · 15 ``not_combinable``.

:func:`check_terms` runs 1–12 (they need nothing but the booking),
:func:`check_customer` 13–14 (the customer's history, asked only when a rule
needs it) and :func:`check_combining` 15. A later booking of a recurring
series is checked by :func:`check_continuation` against the terms the
series started with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from .booking import BOOKING_TYPES, Booking, Line
from .customers import CustomerFacts, CustomerHistory, in_audience
from .emails import canonical_email, matches_entry
from .errors import CouponRejected
from .money import DEFAULT_CURRENCY
from .pricing import eligible_lines
from .terms import (
    AUDIENCES,
    DISCOUNT_TYPES,
    RECURRING_SCOPES,
    WEEKDAYS,
    Terms,
    Window,
)
from .wording import rejection_text

__all__ = [
    "AUDIENCES", "BOOKING_TYPES", "DISCOUNT_TYPES", "RECURRING_SCOPES", "WEEKDAYS", "Booking",
    "Context", "CustomerFacts", "CustomerHistory", "Line", "Terms", "Window", "check_combining",
    "check_continuation", "check_customer", "check_terms", "end_of_day", "format_day",
    "start_of_day", "validate",
]


def start_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The last second of ``day`` in ``tz``: a bare end date is inclusive."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def format_day(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


@dataclass(frozen=True)
class Context:
    """The moment and the site: ``now`` (aware), its time zone and currency, and
    whether customers are compared by canonical e-mail (``ADVIK_EMAIL_CANONICAL``)."""

    now: datetime
    tz: tzinfo
    currency: str = "USD"
    canonical_emails: bool = True

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware datetime")

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def customer_key(self, booking: Booking) -> str | None:
        """The booking's customer as compared: its canonical e-mail, or None."""
        if not booking.email or not booking.email.strip():
            return None
        return canonical_email(booking.email, canonical=self.canonical_emails)


def _rejected(reason: str, variant: str | None = None, currency: str = DEFAULT_CURRENCY,
              **values: object) -> CouponRejected:
    """The rejection with its English message and its raw values (for other languages)."""
    return CouponRejected(reason, rejection_text(reason, variant, values, currency=currency),
                          variant=variant, values=values)


def _check_limits(low: object, high: object, booking: Booking, ctx: Context) -> None:
    """Rules 5 and 6: the whole booking's subtotal against the minimum and maximum."""
    assert isinstance(low, type(booking.subtotal)) and isinstance(high, type(booking.subtotal))
    if low > 0 and booking.subtotal < low:
        raise _rejected("below_minimum", currency=ctx.currency, amount=low)
    if high > 0 and booking.subtotal > high:
        raise _rejected("above_maximum", currency=ctx.currency, amount=high)


def check_terms(terms: Terms | None, booking: Booking, ctx: Context) -> Terms:
    """Rules 1–12 (everything that needs no customer history). Returns the terms."""
    if terms is None:
        raise CouponRejected("not_found")
    if not terms.active or terms.archived:
        raise CouponRejected("inactive")
    if ctx.now < terms.starts_at:
        raise _rejected("not_started", date=terms.starts_at.astimezone(ctx.tz).date())
    if terms.ends_at is not None and ctx.now.replace(microsecond=0) > terms.ends_at:
        raise _rejected("expired", date=terms.ends_at.astimezone(ctx.tz).date())
    if terms.code_used or (terms.max_uses is not None and terms.used >= terms.max_uses):
        raise CouponRejected("usage_limit_reached")
    _check_limits(terms.min_subtotal, terms.max_subtotal, booking, ctx)
    local = ctx.now.astimezone(ctx.tz)
    if terms.days_of_week:
        day = booking.booking_date or local.date()
        if WEEKDAYS[day.weekday()] not in terms.days_of_week:
            allowed = tuple(d for d in WEEKDAYS if d in terms.days_of_week)
            raise _rejected("day_not_allowed", days=allowed)
    if terms.hours:
        moment = booking.booking_time or local.time()
        if not any(window.contains(moment) for window in terms.hours):
            raise _rejected("time_not_allowed", hours=tuple(sorted(terms.hours)))
    if booking.booking_type not in terms.booking_types:
        kind = "recurring" if "recurring" in terms.booking_types else "one_time"
        raise _rejected("booking_type_not_allowed", kind)
    if terms.targets_lines and not any(eligible_lines(terms, booking)):
        raise CouponRejected("no_eligible_items")
    key = ctx.customer_key(booking)
    if terms.needs_email and key is None:
        raise CouponRejected("email_required")
    if key is not None:
        if terms.allowed_emails and not any(matches_entry(key, e) for e in terms.allowed_emails):
            raise CouponRejected("customer_not_eligible")
        if terms.code_email is not None and key != terms.code_email:
            raise CouponRejected("customer_not_eligible")
    return terms


AUDIENCE_REASONS = {"new": "new_customers_only", "existing": "existing_customers_only",
                    "lapsed": "lapsed_customers_only", "loyal": "loyal_customers_only"}


def check_customer(terms: Terms, booking: Booking, ctx: Context,
                   history: CustomerHistory) -> None:
    """Rules 13–14, which ask the customer's history (only when needed)."""
    key = ctx.customer_key(booking)
    if key is None:
        return
    if terms.audience != "all":
        facts = history.facts(key)
        if not in_audience(terms.audience, facts, ctx.today, days=terms.audience_days,
                           min_bookings=terms.audience_min_bookings):
            raise _rejected(AUDIENCE_REASONS[terms.audience],
                            days=terms.audience_days or 0,
                            bookings=terms.audience_min_bookings or 0)
    limit = terms.uses_limit
    if limit is not None and history.uses(key) >= limit:
        raise CouponRejected("already_used")


def check_combining(terms: Terms, others: Sequence[Terms]) -> None:
    """Rule 15: another coupon on the booking needs every coupon involved to be combinable."""
    if others and not (terms.combinable and all(o.combinable for o in others)):
        raise CouponRejected("not_combinable")


def validate(terms: Terms | None, booking: Booking, ctx: Context,
             history: CustomerHistory, others: Sequence[Terms] = (), *,
             customer_history: bool = True) -> Terms:
    """Every rule in its published order; raises the first failure.

    ``customer_history=False`` leaves out rules 13–14 (audience, per-customer
    limit): an anonymous preview must not tell whether an e-mail has booked
    before; the redemption checks them.
    """
    checked = check_terms(terms, booking, ctx)
    if customer_history:
        check_customer(checked, booking, ctx, history)
    check_combining(checked, others)
    return checked


def check_continuation(series: Terms, series_email: str | None, booking: Booking,
                       ctx: Context) -> None:
    """A later booking of a series: the series' minimum and maximum, a recurring
    booking, and the customer the series started with (none if it had none)."""
    _check_limits(series.min_subtotal, series.max_subtotal, booking, ctx)
    if booking.booking_type != "recurring":
        raise _rejected("booking_type_not_allowed", "recurring")
    if ctx.customer_key(booking) != series_email:
        raise CouponRejected("customer_not_eligible")
