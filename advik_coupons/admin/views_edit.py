"""Create and edit a coupon with the same :class:`CouponForm` the JSON API validates with."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from typing import Any

from flask import flash, jsonify, redirect, render_template, url_for
from werkzeug.wrappers import Response

from .. import coupons as coupon_service
from ..errors import DuplicateCode
from ..extension import get_state
from ..forms import CouponForm
from ..models import Coupon
from ..queries import get_coupon, primary_code
from ..rules import BOOKING_TYPES, WEEKDAYS
from .auth import actor, admin_required
from .blueprint import bp
from .forms import validate_or_400
from .helpers import db


def moment_text(moment: datetime | None, tz: tzinfo, *, end: bool) -> str:
    """How a stored moment reads back in the form: a bare date when it is the day's edge."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    edge = time(23, 59, 59) if end else time(0, 0)
    if local.time().replace(microsecond=0) == edge:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%dT%H:%M")


def stored_values(coupon: Coupon, code: str | None, tz: tzinfo) -> dict[str, Any]:
    """The coupon as the form's starting data."""
    return {
        "name": coupon.name, "description": coupon.description, "code": code or "",
        "discount_type": coupon.discount_type, "discount_value": coupon.discount_value,
        "audience": coupon.audience,
        "starts_at": moment_text(coupon.starts_at, tz, end=False),
        "ends_at": moment_text(coupon.ends_at, tz, end=True),
        "days_of_week": [d for d in WEEKDAYS if d in coupon.days_of_week.split(",")],
        "max_uses": coupon.max_uses, "once_per_customer": coupon.once_per_customer,
        "min_subtotal": coupon.min_subtotal, "max_subtotal": coupon.max_subtotal,
        "booking_types": [b for b in BOOKING_TYPES if b in coupon.booking_types.split(",")],
        "recurring_scope": coupon.recurring_scope, "active": coupon.active,
    }


def _render(form: CouponForm, coupon: Coupon | None, code: str | None, status: int) -> Any:
    return render_template("admin/coupon_form.html", form=form, coupon=coupon, code=code,
                           site_tz=str(get_state().tz)), status


@bp.route("/coupons/new", methods=["GET", "POST"])
@admin_required
def coupon_new() -> Any:
    form = CouponForm(tz=get_state().tz)
    if not form.is_submitted():
        return _render(form, None, None, 200)
    if not validate_or_400(form):
        return _render(form, None, None, 400)
    try:
        coupon = coupon_service.create_coupon(form.values(), actor=actor())
    except DuplicateCode as exc:
        form.code.errors = [f"{exc.code_value} is already in use (codes are unique in any "
                            "letter case). Choose another or generate one."]
        return _render(form, None, None, 409)
    code = primary_code(db(), coupon.id)
    db().rollback()
    flash(f"Coupon {code} created.", "success")
    return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon.id))


@bp.route("/coupons/<int:coupon_id>/edit", methods=["GET", "POST"])
@admin_required
def coupon_edit(coupon_id: int) -> Any:
    state = get_state()
    coupon = get_coupon(db(), coupon_id)
    code = primary_code(db(), coupon_id)
    if coupon.archived_at is not None:
        db().rollback()
        flash("An archived coupon keeps its terms for its history; it cannot be edited.",
              "error")
        return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))
    if not CouponForm(tz=state.tz).is_submitted():
        form = CouponForm(formdata=None, data=stored_values(coupon, code, state.tz),
                          tz=state.tz)
        return _render(form, coupon, code, 200)
    form = CouponForm(tz=state.tz)
    if not validate_or_400(form):
        return _render(form, coupon, code, 400)
    values = form.values()
    if not values["code"]:
        values["code"] = (coupon_service.generate_code(db())
                          if form.generate.data else code)
    db().rollback()
    try:
        coupon_service.update_coupon(coupon_id, values, actor=actor())
    except DuplicateCode as exc:
        form.code.errors = [f"{exc.code_value} is already in use (codes are unique in any "
                            "letter case). Choose another or generate one."]
        return _render(form, get_coupon(db(), coupon_id), code, 409)
    flash(f"Coupon {values['code']} saved.", "success")
    return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))


@bp.get("/coupons/generate-code")
@admin_required
def generate_code() -> Response:
    """A fresh unused code for the form's "Generate code" button."""
    session = db()
    code = coupon_service.generate_code(session)
    session.rollback()
    return jsonify({"code": code})
