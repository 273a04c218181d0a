"""The JSON API, part 1: coupons (``/api/v1/coupons``). Bearer tokens required.

Views stay thin: they read the body, call :mod:`advik_coupons.coupons` and
shape the answer. Errors are JSON: 400 ``{"errors": {field: message}}``,
401, 404, 409 (duplicate code), 422 (a reason code).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import Select, func, or_, select
from werkzeug.exceptions import HTTPException

from . import coupons as coupon_service
from .bodies import read_body
from .errors import CouponRejected, InvalidRequest
from .extension import get_state
from .forms import CREATE_DEFAULTS, CouponForm, formdata_from_json
from .models import Coupon, CouponCode
from .queries import get_coupon, primary_code, primary_codes
from .serialize import code_json, coupon_json, iso
from .tokens import token_required

bp = Blueprint("advik_api", __name__)
READ_ONLY = frozenset({"id", "used", "created_at", "updated_at", "archived", "status"})
MAX_PER_PAGE = 200


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> Any:
    if isinstance(error, CouponRejected | InvalidRequest) or error.code in {401, 409}:
        return error
    return jsonify({"error": (error.name or "error").lower().replace(" ", "_"),
                    "message": error.description}), error.code or 500


def page_args() -> tuple[int, int]:
    errors: dict[str, str] = {}
    values = []
    for key, default, high in (("page", 1, 1_000_000), ("per_page", 50, MAX_PER_PAGE)):
        raw = request.args.get(key, str(default))
        try:
            number = int(raw)
        except ValueError:
            number = -1
        if not 1 <= number <= high:
            errors[key] = f"Must be a whole number from 1 to {high}."
        values.append(number)
    if errors:
        raise InvalidRequest(errors)
    return values[0], values[1]


def paginated(stmt: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    session = get_state().session
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())
                            ).scalar_one()
    rows = list(session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars())
    return rows, int(total)


def actor() -> str:
    return str(g.get("advik_actor", "api"))


def _coupon_body(coupon: Coupon) -> dict[str, Any]:
    session = get_state().session
    return coupon_json(coupon, primary_code(session, coupon.id), datetime.now(UTC))


def _validated(formdata: Any) -> dict[str, Any]:
    form = CouponForm(formdata=formdata, meta={"csrf": False}, tz=get_state().tz)
    if not form.validate():
        raise InvalidRequest(form.error_messages())
    return form.values()


def stored_formdata(coupon: Coupon, code: str | None) -> dict[str, Any]:
    data = coupon_json(coupon, code)
    base = {k: data[k] for k in ("name", "description", "code", "discount_type",
                                 "discount_value", "audience", "days_of_week", "max_uses",
                                 "once_per_customer", "min_subtotal", "max_subtotal",
                                 "booking_types", "recurring_scope", "active")}
    base["starts_at"] = coupon.starts_at.isoformat()
    base["ends_at"] = coupon.ends_at.isoformat() if coupon.ends_at else None
    return base


@bp.get("/coupons")
@token_required
def list_coupons() -> Any:
    page, per_page = page_args()
    stmt = select(Coupon).order_by(Coupon.id.desc())
    active = request.args.get("active")
    if active is not None:
        if active.lower() not in {"true", "false", "1", "0"}:
            raise InvalidRequest({"active": "Must be true or false."})
        stmt = stmt.where(Coupon.active.is_(active.lower() in {"true", "1"}))
    if not request.args.get("archived"):
        stmt = stmt.where(Coupon.archived_at.is_(None))
    q = (request.args.get("q") or "").strip()
    if q:
        if len(q) > 120:
            raise InvalidRequest({"q": "At most 120 characters."})
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Coupon.name.ilike(like), Coupon.id.in_(
            select(CouponCode.coupon_id).where(CouponCode.code.like(like.upper()),
                                                CouponCode.is_primary.is_(True)))))
    items, total = paginated(stmt, page, per_page)
    codes = primary_codes(get_state().session, [c.id for c in items])
    now = datetime.now(UTC)
    return jsonify({"items": [coupon_json(c, codes.get(c.id), now) for c in items],
                    "page": page, "per_page": per_page, "total": total})


@bp.post("/coupons")
@token_required
def create_coupon() -> Any:
    body = read_body(request)
    if body.get("code") is None and "generate" not in body:
        body = {**body, "generate": "code" in body}
    values = _validated(formdata_from_json(body, base=CREATE_DEFAULTS, read_only=READ_ONLY))
    coupon = coupon_service.create_coupon(values, actor=actor())
    return jsonify(_coupon_body(coupon)), 201


@bp.get("/coupons/<int:coupon_id>")
@token_required
def read_coupon(coupon_id: int) -> Any:
    return jsonify(_coupon_body(get_coupon(get_state().session, coupon_id)))


@bp.patch("/coupons/<int:coupon_id>")
@token_required
def update_coupon(coupon_id: int) -> Any:
    session = get_state().session
    coupon = get_coupon(session, coupon_id)
    base = stored_formdata(coupon, primary_code(session, coupon_id))
    body = read_body(request)
    if "code" in body and body["code"] is None:
        raise InvalidRequest({"code": "A coupon keeps a code; send a new one to change it."})
    values = _validated(formdata_from_json(body, base=base, read_only=READ_ONLY))
    return jsonify(_coupon_body(coupon_service.update_coupon(coupon_id, values, actor=actor())))


@bp.delete("/coupons/<int:coupon_id>")
@token_required
def delete_coupon(coupon_id: int) -> Any:
    archived = coupon_service.delete_coupon(coupon_id, actor=actor())
    if archived:
        return jsonify(_coupon_body(get_coupon(get_state().session, coupon_id)))
    return Response(status=204)


@bp.post("/coupons/<int:coupon_id>/activate")
@token_required
def activate(coupon_id: int) -> Any:
    return _toggle(coupon_id, True)


@bp.post("/coupons/<int:coupon_id>/deactivate")
@token_required
def deactivate(coupon_id: int) -> Any:
    return _toggle(coupon_id, False)


def _toggle(coupon_id: int, active: bool) -> Any:
    coupon = get_coupon(get_state().session, coupon_id)
    if coupon.archived_at is not None:
        raise InvalidRequest({"active": "An archived coupon cannot be activated."})
    return jsonify(_coupon_body(coupon_service.set_active(coupon_id, active, actor=actor())))


@bp.post("/coupons/<int:coupon_id>/batches")
@token_required
def create_batch(coupon_id: int) -> Any:
    body = read_body(request)
    batch, codes = coupon_service.create_batch(coupon_id, body.get("count"),  # type: ignore[arg-type]
                                               _prefix(body.get("prefix")))
    if request.args.get("format") == "csv":
        return csv_response(f"coupon-{coupon_id}-batch-{batch.id}.csv", ["code"],
                            [[c] for c in codes])
    rows = coupon_service.batch_codes(batch.id)
    return jsonify({"id": batch.id, "coupon_id": coupon_id, "prefix": batch.prefix,
                    "count": batch.count, "created_at": iso(batch.created_at),
                    "codes": [code_json(c) for c in rows]}), 201


def _prefix(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest({"prefix": "Must be a string."})
    return value


def csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    if isinstance(value, Decimal):
        return str(value)
    return value
