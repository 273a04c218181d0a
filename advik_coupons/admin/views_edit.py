"""Create and edit a coupon with the same :class:`CouponForm` the JSON API validates with.

Every problem is shown at once — a taken code among them, looked up even when
other fields are wrong. The one "Generate code" button fills the field (by
script, or without it by posting ``generate_now``, which saves nothing).
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..domain.codes import is_valid_code, normalize_code
from ..domain.errors import DuplicateCode
from ..services import coupons as coupon_service
from ..state import get_state
from ..store.models import Coupon
from ..store.queries import code_exists, get_coupon, primary_code
from ..web.forms import CouponForm, form_values
from .auth import actor
from .forms import validate_or_400
from .helpers import db
from .summary import form_summary


def _render(form: CouponForm, coupon: Coupon | None, code: str | None, status: int) -> Any:
    return render_template("admin/coupon_form.html", form=form, coupon=coupon, code=code,
                           site_tz=str(get_state().tz), summary=form_summary(form)), status


def taken_message(code: str) -> str:
    return (f"{code} is already in use (codes are unique in any letter case). "
            "Choose another or generate one.")


def _check(form: CouponForm, own_code: str | None) -> int:
    """Validate; add a taken code to the other errors. The answer's status (0: valid)."""
    valid = validate_or_400(form)
    typed = normalize_code(form.code.data or "")
    if (not form.code.errors and typed and is_valid_code(typed) and typed != own_code
            and code_exists(db(), typed)):
        form.code.errors = [taken_message(typed)]
        return 409 if valid else 400
    return 0 if valid else 400


def _generate_now(form: CouponForm) -> bool:
    """The no-script "Generate code": fill the field, keep what was typed, save nothing."""
    if not request.form.get("generate_now"):
        return False
    validate_or_400(form)
    for field in form:
        field.errors = []
    form.code.data = coupon_service.generate_code(db())
    return True


def coupon_new() -> Any:
    form = CouponForm(tz=get_state().tz)
    if not form.is_submitted():
        return _render(form, None, None, 200)
    if _generate_now(form):
        return _render(form, None, None, 200)
    status = _check(form, None)
    if status:
        return _render(form, None, None, status)
    try:
        coupon = coupon_service.create_coupon(form.values(), actor=actor())
    except DuplicateCode as exc:
        form.code.errors = [taken_message(exc.code_value)]
        return _render(form, None, None, 409)
    code = primary_code(db(), coupon.id)
    flash(f"Coupon {code} created.", "success")
    return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon.id))


def coupon_edit(coupon_id: int) -> Any:
    state = get_state()
    coupon = get_coupon(db(), coupon_id)
    code = primary_code(db(), coupon_id)
    if coupon.archived_at is not None:
        flash("An archived coupon keeps its terms for its history; it cannot be edited.",
              "error")
        return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))
    if not CouponForm(tz=state.tz).is_submitted():
        form = CouponForm(formdata=None, data=form_values(coupon, code, state.tz),
                          tz=state.tz)
        return _render(form, coupon, code, 200)
    form = CouponForm(tz=state.tz)
    if _generate_now(form):
        return _render(form, coupon, code, 200)
    status = _check(form, code)
    if status:
        return _render(form, coupon, code, status)
    values = form.values()
    if not values["code"]:
        values["code"] = (coupon_service.generate_code(db())
                          if form.generate.data else code)
    try:
        coupon_service.update_coupon(coupon_id, values, actor=actor())
    except DuplicateCode as exc:
        form.code.errors = [taken_message(exc.code_value)]
        return _render(form, get_coupon(db(), coupon_id), code, 409)
    flash(f"Coupon {values['code']} saved.", "success")
    return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))


def generate_code() -> Response:
    """A fresh unused code for the form's "Generate code" button."""
    return jsonify({"code": coupon_service.generate_code(db())})
