"""The JSON API's bookings: quote, redeem, cancel, the ledger, a coupon's redemptions and stats."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from ..domain.money import as_str
from ..domain.rules import Booking
from ..services.amending import amend as amend_redemption
from ..services.cancelling import cancel as cancel_redemption
from ..services.ledger import record_booking
from ..services.quoting import quote as quote_booking
from ..services.redeeming import redeem as redeem_booking
from ..services.serialize import REDEMPTION_CSV, iso, redemption_json, redemption_row
from ..state import get_state
from ..store.models import Redemption
from ..store.queries import get_coupon
from ..store.tracking import coupon_stats
from ..web.bodies import parse_booking, read_body
from ..web.csv import csv_response, query_rows
from ..web.i18n import answer_quote
from .args import page_args, page_json, paginated, range_args, wants_csv
from .auth import actor


def _wire(redemption: Redemption) -> dict[str, Any]:
    return redemption_json(redemption, get_state().currency)


def _row(redemption: Redemption) -> list[Any]:
    return redemption_row(redemption, get_state().currency)


def _booking(*, need_ref: bool) -> tuple[str, Booking]:
    return parse_booking(read_body(request), need_ref=need_ref)


def quote() -> Any:
    code, booking = _booking(need_ref=False)
    return jsonify(answer_quote(quote_booking(code, booking)))


def redeem() -> Any:
    code, booking = _booking(need_ref=True)
    result = redeem_booking(code, booking, source="api")
    return jsonify(_wire(result.redemption)), (201 if result.created else 200)


def cancel(redemption_id: int) -> Any:
    redemption, _changed = cancel_redemption(redemption_id, actor=actor())
    return jsonify(_wire(redemption))


def amend(redemption_id: int) -> Any:
    """A rescheduled or repriced booking: its new facts, checked again."""
    body = read_body(request)
    _code, booking = parse_booking(body, need_code=False)
    redemption, _changed = amend_redemption(redemption_id, booking)
    return jsonify(_wire(redemption))


def report_booking() -> Any:
    _code, booking = parse_booking(read_body(request), need_ref=True, need_code=False)
    row, created = record_booking(booking)
    return jsonify({"id": row.id, "booking_ref": row.booking_ref, "email": row.email,
                    "subtotal": (as_str(row.subtotal, get_state().currency)
                                 if row.subtotal is not None else None),
                    "booking_date": row.booking_date.isoformat() if row.booking_date else None,
                    "status": row.status, "created_at": iso(row.created_at)}), (
        201 if created else 200)


def coupon_redemptions(coupon_id: int) -> Any:
    session = get_state().session
    get_coupon(session, coupon_id)
    stmt = (select(Redemption).where(Redemption.coupon_id == coupon_id)
            .order_by(Redemption.created_at.desc(), Redemption.id.desc()))
    if wants_csv():
        return csv_response(f"coupon-{coupon_id}-redemptions.csv", REDEMPTION_CSV,
                            query_rows(session, stmt, _row))
    page, per_page = page_args()
    items, total = paginated(stmt, page, per_page)
    return jsonify(page_json([_wire(r) for r in items], page, per_page, total))


def stats(coupon_id: int) -> Any:
    state = get_state()
    get_coupon(state.session, coupon_id)
    start, end, interval = range_args()
    return jsonify(coupon_stats(state.session, coupon_id, start, end, interval,
                                state.tz).as_json())
