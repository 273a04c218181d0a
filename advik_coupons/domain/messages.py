"""The one catalog of what customers and site owners read about codes.

Every customer message of a rejection, the "applied" message and the labels
the admin pages and forms show for reasons, statuses and choices are written
here once, so the checkout, the API, the admin and the demo always say the
same thing. Reason codes and their order are a public contract
(``docs/contracts.md`` §2); the words are not, and may be improved.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """Mark ``text`` for the catalogs (``pybabel extract -k N_``); the web layer translates it."""
    return text


#: The public reason codes of a ``422``, in the order the rules check them.
REASONS: tuple[str, ...] = (
    "not_found",
    "inactive",
    "not_started",
    "expired",
    "usage_limit_reached",
    "below_minimum",
    "above_maximum",
    "day_not_allowed",
    "time_not_allowed",
    "booking_type_not_allowed",
    "no_eligible_items",
    "email_required",
    "customer_not_eligible",
    "new_customers_only",
    "existing_customers_only",
    "lapsed_customers_only",
    "loyal_customers_only",
    "already_used",
    "not_combinable",
)

NOT_VALID = N_("This coupon isn't valid.")
APPLIED = N_("Coupon applied")
RATE_LIMITED = N_("Too many attempts. Please wait a moment and try again.")

#: The customer's message for each reason (``str.format`` fields named in braces).
#: ``booking_type_not_allowed`` has one message per booking type the coupon is for.
REJECTIONS: dict[str, str] = {
    "not_found": NOT_VALID,
    "inactive": NOT_VALID,
    "not_started": N_("This coupon starts on {date}."),
    "expired": N_("This coupon expired on {date}."),
    "usage_limit_reached": N_("This coupon has reached its usage limit."),
    "below_minimum": N_("Spend at least {amount} to use this coupon."),
    "above_maximum": N_("This coupon applies to bookings up to {amount}."),
    "day_not_allowed": N_("This coupon can be used on {days} bookings."),
    "time_not_allowed": N_("This coupon can be used for bookings at {hours}."),
    "booking_type_not_allowed.recurring": N_("This coupon is for recurring bookings only."),
    "booking_type_not_allowed.one_time": N_("This coupon is for one-time bookings only."),
    "no_eligible_items": N_("This coupon doesn't apply to the services in this booking."),
    "email_required": N_("Enter your e-mail address to use this coupon."),
    "customer_not_eligible": N_("This coupon isn't available for this e-mail address."),
    "new_customers_only": N_("This coupon is for first-time customers."),
    "existing_customers_only": N_("This coupon is for returning customers."),
    "lapsed_customers_only": N_("This coupon is for customers who haven't booked for a while."),
    "loyal_customers_only": N_("This coupon is for our regular customers."),
    "already_used": N_("You have already used this coupon."),
    "not_combinable": N_("This coupon can't be combined with another coupon on this booking."),
}

#: What the payment-step widget's script says (``static/advik-coupon.js`` gets them, in the
#: customer's language, from ``data-messages`` or ``widget.json``; ``{…}`` are its values).
WIDGET: dict[str, str] = {
    "summary": N_("Coupon and price summary"),
    "apply": N_("Apply"),
    "applying": N_("Applying…"),
    "no_service": N_("Coupons are not available on this page."),
    "enter_code": N_("Enter a coupon code."),
    "offline": N_("We could not reach the server. Check your connection and try again."),
    "applied": N_("Coupon applied: {code} — you save {amount}."),
    "applied_link": N_("{code} from your link was applied — you save {amount}."),
    "new_total": N_("New total {amount}."),
    "discount_on": N_("Discount on {lines}."),
    "scope_first": N_("Only the first visit is discounted; later visits are at the full price."),
    "scope_all": N_("Every visit of the series is discounted."),
    "scope_first_n": N_("The first {n} visits are discounted; later visits are at the full "
                        "price."),
    "rate_limited": RATE_LIMITED,
    "failed": N_("This coupon can't be applied right now. Please try again."),
    "removed": N_("Coupon removed."),
}

#: How the admin pages name each reason (the funnel's "why tries were turned down").
REASON_LABELS: dict[str, str] = {
    "not_found": "Code not found",
    "inactive": "Coupon inactive or archived",
    "not_started": "Not started yet",
    "expired": "Expired",
    "usage_limit_reached": "Usage limit reached",
    "below_minimum": "Below the minimum amount",
    "above_maximum": "Above the maximum amount",
    "day_not_allowed": "Day not allowed",
    "time_not_allowed": "Time of day not allowed",
    "booking_type_not_allowed": "Booking type not allowed",
    "no_eligible_items": "No service in the booking qualifies",
    "email_required": "No e-mail given",
    "customer_not_eligible": "Customer not on the coupon's list",
    "new_customers_only": "Not a new customer",
    "existing_customers_only": "Not an existing customer",
    "lapsed_customers_only": "Customer booked too recently",
    "loyal_customers_only": "Customer has too few bookings",
    "already_used": "Customer already used it",
    "not_combinable": "Another coupon on the booking",
}
#: Why the API refuses a booking it cannot take as sent (``409``).
CONFLICTS: dict[str, str] = {
    "booking_conflict": "This booking was already redeemed with other details.",
    "archived": "This coupon is archived: its terms and codes are kept for its history.",
    "cancelled": "This redemption was cancelled; it cannot be changed.",
}

STATUS_LABELS: dict[str, str] = {
    "active": "Active", "inactive": "Inactive", "scheduled": "Scheduled",
    "expired": "Expired", "used_up": "Used up", "archived": "Archived",
}
DISCOUNT_TYPE_LABELS: dict[str, str] = {"percent": "Percentage (%)", "fixed": "Fixed amount"}
AUDIENCE_LABELS: dict[str, str] = {
    "all": "All customers", "existing": "Existing customers only", "new": "New customers only",
    "lapsed": "Customers who haven't booked for a while", "loyal": "Regular customers",
}
BOOKING_TYPE_LABELS: dict[str, str] = {"one_time": "One-time", "recurring": "Recurring"}
SCOPE_LABELS: dict[str, str] = {
    "first": "First booking of a series only", "all": "Every booking in a series",
    "first_n": "The first bookings of a series (how many below)",
}
DAY_LABELS: dict[str, str] = {
    "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat",
    "sun": "Sun",
}


def rejection_message(reason: str, variant: str | None = None, **values: str) -> str:
    """The customer's message for ``reason`` (and ``variant``), with its values filled in."""
    key = f"{reason}.{variant}" if variant else reason
    return REJECTIONS[key].format(**values)


def join_words(words: list[str]) -> str:
    """``Mon, Tue and Wed``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
