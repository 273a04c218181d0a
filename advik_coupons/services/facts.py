"""A stored redemption read back as the facts and terms of its booking.

Strict idempotency compares a booking sent again with the one redeemed
(:func:`same_facts`): the same subtotal, customer, lines, date, time and
series answer ``200``; anything else is ``409 booking_conflict``. Coupons
combined on one booking read what the earlier ones took off each line
(:func:`given_lines`) and whether they allow combining (:func:`kept_terms`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..domain.booking import Booking, Line
from ..domain.terms import Terms
from ..store.models import Redemption


def _lines_key(lines: Any) -> list[tuple[str, str | None, str | None, int, Decimal]]:
    found = []
    for line in lines or ():
        if isinstance(line, Line):
            found.append((line.service, line.staff, line.location, line.quantity,
                          Decimal(line.unit_price)))
        else:
            found.append((str(line["service"]), line.get("staff"), line.get("location"),
                          int(line["quantity"]), Decimal(str(line["unit_price"]))))
    return found


def same_facts(r: Redemption, booking: Booking, email_key: str | None, *,
               series: bool = True) -> bool:
    """Whether ``booking`` is the booking ``r`` redeemed (``series``: its series place too)."""
    facts = (Decimal(r.subtotal) == booking.subtotal and r.email_key == email_key
             and r.booking_date == booking.booking_date
             and r.booking_time == booking.booking_time
             and _lines_key(r.items) == _lines_key(booking.items))
    if not series:
        return facts
    return (facts and r.series_ref == booking.series_ref
            and (r.occurrence or 0) == booking.occurrence
            and r.booking_type == booking.booking_type)


def given_lines(others: list[Redemption], booking: Booking) -> list[list[Decimal]]:
    """What each earlier redemption of the booking took off each of its lines."""
    if not booking.items:
        return [[Decimal(o.discount)] for o in others]
    return [[Decimal(str(line["discount"])) for line in (o.items or ())]
            or [Decimal("0")] * len(booking.items) for o in others]


def kept_terms(r: Redemption) -> Terms:
    """The terms a redemption was priced with (before they were kept: its type and value)."""
    data = r.kept_terms or {"discount_type": r.discount_type,
                            "discount_value": str(r.discount_value),
                            "recurring_scope": r.recurring_scope}
    return Terms.from_kept(r.coupon_id, r.code, data, r.created_at)
