"""The ``data`` of an outbox notice: ``{"coupon", "booking", "amounts"}``.

Every event type carries the same three parts, so a receiver reads one shape:

* ``coupon`` — ``id``, ``code`` (the code typed), ``discount_type``,
  ``discount_value``, ``max_uses``, ``used`` (after the change, when known);
* ``booking`` — ``booking_ref``, ``series_ref``, ``occurrence``, ``email``,
  ``booking_date``, ``booking_type``, and for a redemption ``redemption_id``,
  ``status`` and ``source``;
* ``amounts`` — ``subtotal``, ``discount``, ``tax``, ``total`` (strings with two
  decimals) and ``currency``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from ..channels import subscribed
from ..domain.money import Price, as_str
from ..domain.rules import Booking, Terms
from ..state import AppState
from .outbox import stage

if TYPE_CHECKING:
    from ..store.models import Redemption

log = logging.getLogger("advik_coupons.hooks")


def coupon_part(coupon_id: int, code: str, terms: Terms | None = None,
                used: int | None = None) -> dict[str, Any]:
    part: dict[str, Any] = {"id": coupon_id, "code": code}
    if terms is not None:
        part.update(discount_type=terms.discount_type,
                    discount_value=as_str(terms.discount_value), max_uses=terms.max_uses)
    if used is not None:
        part["used"] = used
    return part


def booking_part(booking: Booking) -> dict[str, Any]:
    return {"booking_ref": booking.booking_ref, "series_ref": booking.series_ref,
            "occurrence": booking.occurrence, "email": booking.email,
            "booking_date": booking.booking_date.isoformat() if booking.booking_date else None,
            "booking_type": booking.booking_type}


def amounts_part(amounts: Price, currency: str) -> dict[str, Any]:
    return {**amounts.as_json(), "currency": currency}


def redemption_data(redemption: Redemption, currency: str,
                    coupon: dict[str, Any]) -> dict[str, Any]:
    """The data of ``coupon.redeemed``, ``coupon.limit_reached`` and ``coupon.released``."""
    booking = {"booking_ref": redemption.booking_ref, "series_ref": redemption.series_ref,
               "occurrence": redemption.occurrence, "email": redemption.email,
               "booking_date": (redemption.booking_date.isoformat()
                                if redemption.booking_date else None),
               "booking_type": redemption.booking_type, "redemption_id": redemption.id,
               "status": redemption.status, "source": redemption.source}
    amounts = Price(redemption.subtotal, redemption.discount, redemption.tax, redemption.total,
                    currency)
    return {"coupon": coupon, "booking": booking, "amounts": amounts_part(amounts, currency)}


def stage_applied(state: AppState, terms: Terms, booking: Booking, amounts: Price) -> None:
    """Write ``coupon.applied`` in its own short transaction, when a channel wants it.

    Runs right after a quote. A failure here is logged and never fails the quote.
    """
    if not subscribed(state.channels, "coupon.applied"):
        return
    data = {"coupon": coupon_part(terms.coupon_id, terms.code, terms),
            "booking": booking_part(booking), "amounts": amounts_part(amounts, state.currency)}
    session = state.session
    try:
        stage(session, state.channels, "coupon.applied", data, coupon_id=terms.coupon_id)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not write the coupon.applied notice; the quote goes on")
