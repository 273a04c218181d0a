"""The JSON API's coupons: list, create, read, change, delete, toggle, code batches.

Views stay thin: they read the body, call :mod:`advik_coupons.services.coupons`
and shape the answer. Create and change go through the same
:class:`~advik_coupons.web.forms.CouponForm` as the admin pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import or_, select

from ..domain.errors import Conflict, InvalidRequest
from ..services import coupons as coupon_service
from ..services.serialize import code_json, coupon_json, iso
from ..state import get_state
from ..store.models import Coupon, CouponCode
from ..store.queries import get_coupon, primary_code, primary_codes
from ..web.bodies import read_body
from ..web.csv import csv_response
from ..web.forms import CouponForm, create_defaults, form_values, formdata_from_json
from .args import flag_arg, page_args, page_json, paginated, wants_csv
from .auth import actor


def _coupon_body(coupon: Coupon) -> dict[str, Any]:
    return coupon_json(coupon, primary_code(get_state().session, coupon.id), datetime.now(UTC))


def _validated(formdata: Any) -> dict[str, Any]:
    form = CouponForm(formdata=formdata, meta={"csrf": False}, tz=get_state().tz)
    if not form.validate():
        raise InvalidRequest(form.error_messages())
    return form.values()  # type: ignore[no-any-return]


def list_coupons() -> Any:
    page, per_page = page_args()
    stmt = select(Coupon).order_by(Coupon.id.desc())
    active = request.args.get("active")
    if active is not None:
        if active.lower() not in {"true", "false", "1", "0"}:
            raise InvalidRequest({"active": "Must be true or false."})
        stmt = stmt.where(Coupon.active.is_(active.lower() in {"true", "1"}))
    if not flag_arg("archived"):
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
    return jsonify(page_json([coupon_json(c, codes.get(c.id), now) for c in items],
                             page, per_page, total))


def create_coupon() -> Any:
    body = read_body(request)
    if body.get("code") is None and "generate" not in body:
        body = {**body, "generate": "code" in body}
    values = _validated(formdata_from_json(body, base=create_defaults()))
    coupon = coupon_service.create_coupon(values, actor=actor())
    return jsonify(_coupon_body(coupon)), 201


def read_coupon(coupon_id: int) -> Any:
    return jsonify(_coupon_body(get_coupon(get_state().session, coupon_id)))


def update_coupon(coupon_id: int) -> Any:
    state = get_state()
    coupon = get_coupon(state.session, coupon_id)
    if coupon.archived_at is not None:
        raise Conflict("archived")
    base = form_values(coupon, primary_code(state.session, coupon_id), state.tz)
    body = read_body(request)
    if "code" in body and body["code"] is None:
        raise InvalidRequest({"code": "A coupon keeps a code; send a new one to change it."})
    values = _validated(formdata_from_json(body, base=base))
    return jsonify(_coupon_body(coupon_service.update_coupon(coupon_id, values, actor=actor())))


def delete_coupon(coupon_id: int) -> Any:
    archived = coupon_service.delete_coupon(coupon_id, actor=actor())
    if archived:
        return jsonify(_coupon_body(get_coupon(get_state().session, coupon_id)))
    return Response(status=204)


def activate(coupon_id: int) -> Any:
    return _toggle(coupon_id, True)


def deactivate(coupon_id: int) -> Any:
    return _toggle(coupon_id, False)


def _toggle(coupon_id: int, active: bool) -> Any:
    return jsonify(_coupon_body(coupon_service.set_active(coupon_id, active, actor=actor())))


def create_batch(coupon_id: int) -> Any:
    body = read_body(request)
    batch, _codes = coupon_service.create_batch(coupon_id, body.get("count"),  # type: ignore[arg-type]
                                                _prefix(body.get("prefix")), body.get("emails"),
                                                actor=actor())
    rows = coupon_service.batch_codes(batch.id)
    if wants_csv():
        return csv_response(f"coupon-{coupon_id}-batch-{batch.id}.csv", ["code", "email"],
                            [[c.code, c.email_key or ""] for c in rows])
    return jsonify({"id": batch.id, "coupon_id": coupon_id, "prefix": batch.prefix,
                    "count": batch.count, "created_at": iso(batch.created_at),
                    "codes": [code_json(c) for c in rows]}), 201


def _prefix(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest({"prefix": "Must be a string."})
    return value
