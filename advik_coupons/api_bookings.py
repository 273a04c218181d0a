"""The JSON API, part 2: quote, redeem, cancel, the ledger, and a coupon's history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from . import redeeming
from .api import bp, csv_response, page_args, paginated
from .bodies import parse_booking, read_body
from .errors import InvalidRequest
from .extension import get_state
from .models import Redemption
from .queries import get_coupon
from .rules import Booking
from .serialize import iso, redemption_json
from .tokens import token_required
from .tracking import INTERVALS, coupon_stats

REDEMPTION_CSV = ["id", "code", "booking_ref", "series_ref", "occurrence", "email",
                  "booking_date", "booking_type", "subtotal", "discount", "tax", "total",
                  "status", "source", "created_at", "cancelled_at"]


@bp.post("/quote")
@token_required
def quote() -> Any:
    code, booking = redeeming_body(need_ref=False)
    return jsonify(redeeming.quote(code, booking).as_json())


def redeeming_body(*, need_ref: bool) -> tuple[str, Booking]:
    return parse_booking(read_body(request), need_ref=need_ref)


@bp.post("/redemptions")
@token_required
def redeem() -> Any:
    code, booking = redeeming_body(need_ref=True)
    result = redeeming.redeem(code, booking, source="api")
    return jsonify(redemption_json(result.redemption)), (201 if result.created else 200)


@bp.post("/redemptions/<int:redemption_id>/cancel")
@token_required
def cancel(redemption_id: int) -> Any:
    redemption, _changed = redeeming.cancel(redemption_id)
    return jsonify(redemption_json(redemption))


@bp.post("/bookings")
@token_required
def report_booking() -> Any:
    _code, booking = parse_booking(read_body(request), need_ref=True, need_code=False)
    row, created = redeeming.record_booking(booking)
    return jsonify({"id": row.id, "booking_ref": row.booking_ref, "email": row.email,
                    "subtotal": str(row.subtotal) if row.subtotal is not None else None,
                    "booking_date": row.booking_date.isoformat() if row.booking_date else None,
                    "status": row.status, "created_at": iso(row.created_at)}), (
        201 if created else 200)


@bp.get("/coupons/<int:coupon_id>/redemptions")
@token_required
def coupon_redemptions(coupon_id: int) -> Any:
    session = get_state().session
    get_coupon(session, coupon_id)
    stmt = (select(Redemption).where(Redemption.coupon_id == coupon_id)
            .order_by(Redemption.created_at.desc(), Redemption.id.desc()))
    if request.args.get("format") == "csv":
        rows = [redemption_json(r) for r in session.execute(stmt).scalars()]
        return csv_response(f"coupon-{coupon_id}-redemptions.csv", REDEMPTION_CSV,
                            [[r[k] for k in REDEMPTION_CSV] for r in rows])
    page, per_page = page_args()
    items, total = paginated(stmt, page, per_page)
    return jsonify({"items": [redemption_json(r) for r in items], "page": page,
                    "per_page": per_page, "total": total})


def range_args() -> tuple[date, date, str]:
    """``from``/``to`` (site-local dates, inclusive; default the last 30 days) and interval."""
    state = get_state()
    today = datetime.now(UTC).astimezone(state.tz).date()
    errors: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for key, default in (("from", today - timedelta(days=29)), ("to", today)):
        raw = request.args.get(key)
        try:
            parsed[key] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[key] = "Use a date like 2026-12-07."
    interval = request.args.get("interval", "day")
    if interval not in INTERVALS:
        errors["interval"] = "Must be day, week or month."
    if not errors and parsed["from"] > parsed["to"]:
        errors["from"] = "Must not be after 'to'."
    if not errors and (parsed["to"] - parsed["from"]).days > 3700:
        errors["to"] = "A range is at most ten years."
    if errors:
        raise InvalidRequest(errors)
    return parsed["from"], parsed["to"], interval


@bp.get("/coupons/<int:coupon_id>/stats")
@token_required
def stats(coupon_id: int) -> Any:
    state = get_state()
    get_coupon(state.session, coupon_id)
    start, end, interval = range_args()
    result = coupon_stats(state.session, coupon_id, start, end, interval, state.tz)
    state.session.rollback()
    return jsonify(result.as_json())
