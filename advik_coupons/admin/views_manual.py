"""Manual apply: an admin applies a coupon to an existing booking (source "manual").

The booking goes through the same reading as the API (:func:`parse_booking`)
and the same rules as every redemption (:func:`redeem`); a rule's message is
shown in the form when the coupon does not apply.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.widgets import DateInput

from ..domain.errors import CouponRejected, InvalidRequest
from ..domain.money import format_money
from ..services.redeeming import redeem
from ..state import get_state
from ..store.queries import get_coupon, primary_code
from ..web.bodies import parse_booking
from .forms import validate_or_400
from .helpers import db


class ManualApplyForm(FlaskForm):
    booking_ref = StringField("Booking reference", description="The host's own booking id.")
    email = EmailField("Customer e-mail",
                       description="Needed when the coupon targets new or existing "
                                   "customers, or is once per customer.")
    subtotal = StringField("Booking amount (subtotal)",
                           description="Before the discount and tax, e.g. 120.00.")
    booking_date = StringField("Booking date", widget=DateInput(),
                               description="The day of the booking (for day-of-week rules).")
    booking_type = SelectField("Booking type", choices=[("one_time", "One-time"),
                                                        ("recurring", "Recurring")])

    def body(self) -> dict[str, Any]:
        return {"booking_ref": self.booking_ref.data, "email": self.email.data,
                "subtotal": (self.subtotal.data or "").strip(),
                "booking_date": self.booking_date.data, "booking_type": self.booking_type.data}


def manual_apply(coupon_id: int) -> Any:
    state = get_state()
    coupon = get_coupon(db(), coupon_id)
    code = primary_code(db(), coupon_id) or ""
    form = ManualApplyForm()
    rejected: str | None = None
    status = 200
    if form.is_submitted():
        validate_or_400(form)  # the CSRF token; parse_booking judges the fields
        try:
            _code, booking = parse_booking({**form.body(), "code": code}, need_ref=True)
            result = redeem(code, booking, source="manual")
        except InvalidRequest as exc:
            for name, message in exc.errors.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [message]
            status = 400
        except CouponRejected as exc:
            rejected = exc.message
            status = 422
        else:
            r = result.redemption
            if result.created:
                flash(f"{code} applied to booking {r.booking_ref}: "
                      f"{format_money(r.discount, state.currency)} off, total "
                      f"{format_money(r.total, state.currency)}.", "success")
            else:
                flash(f"Booking {r.booking_ref} already has {code}; nothing changed.", "info")
            return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))
    return render_template("admin/manual_apply.html", form=form, coupon=coupon, code=code,
                           rejected=rejected), status
