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

#: Reasons the public apply endpoint answers as ``not_found``: whether a code exists
#: but is switched off is the host's to know (``POST /api/v1/quote``), not a guesser's.
PUBLIC_AS_NOT_FOUND = frozenset({"inactive"})

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
    "not_applied": N_("Clear the code to book without a coupon."),
    "later_first": N_("{full} (full price)"),
    "later_all": N_("{total} (discounted)"),
    "later_first_n": N_("{total} for the first {n} visits, then {full} (full price)"),
}

#: How the admin pages tell each reason, as a sentence an owner reads (the funnel's
#: "why tries were turned down"; the reason codes themselves stay off owner pages).
REASON_LABELS: dict[str, str] = {
    "not_found": "The code typed does not exist.",
    "inactive": "The coupon was switched off or archived.",
    "not_started": "The coupon had not started yet.",
    "expired": "The coupon had ended.",
    "usage_limit_reached": "The coupon had no uses left.",
    "below_minimum": "The booking was below the minimum amount.",
    "above_maximum": "The booking was above the maximum amount.",
    "day_not_allowed": "The booking was on a day the coupon does not allow.",
    "time_not_allowed": "The booking was at a time the coupon does not allow.",
    "booking_type_not_allowed": "The coupon is not for that kind of booking.",
    "no_eligible_items": "No service in the booking qualifies.",
    "email_required": "The customer gave no e-mail address.",
    "customer_not_eligible": "The customer is not on the coupon's list.",
    "new_customers_only": "The customer had booked before (new customers only).",
    "existing_customers_only": "The customer had not booked before (returning customers only).",
    "lapsed_customers_only": "The customer had booked too recently.",
    "loyal_customers_only": "The customer had too few bookings.",
    "already_used": "The customer had already used it.",
    "not_combinable": "Another coupon was already on the booking.",
}
#: Why the API refuses a booking it cannot take as sent (``409``).
CONFLICTS: dict[str, str] = {
    "booking_conflict": "This booking was already redeemed with other details.",
    "archived": "This coupon is archived: its terms and codes are kept for its history.",
    "cancelled": "This redemption was cancelled; it cannot be changed.",
    "not_archived": "This coupon is not archived; there is nothing to restore.",
}

#: How a coupon's history names each kind of change.
HISTORY_ACTIONS: dict[str, str] = {
    "created": "Created", "duplicated": "Created as a copy", "imported": "Imported from CSV",
    "edited": "Edited", "activated": "Activated", "deactivated": "Deactivated",
    "archived": "Archived", "restored": "Restored", "batch": "Codes generated",
    "manual_apply": "Applied by hand to a booking", "cancelled": "Redemption cancelled",
}
#: How the history names what changed when it is not one of the coupon's fields.
HISTORY_FIELDS: dict[str, str] = {
    "copy_of": "Copy of", "booking_ref": "Booking", "discount": "Discount",
    "status": "Status", "batch_codes": "Codes", "batch_prefix": "Prefix",
    "batch_for_emails": "For e-mail addresses", "line": "CSV line", "archived": "Archived",
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
