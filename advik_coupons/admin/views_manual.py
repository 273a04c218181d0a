"""Manual apply: an admin applies a coupon to an existing booking (source "manual").

The first submit previews: the rules run and the discount and total are
shown, nothing is recorded (nor counted in the funnel); "Redeem" then posts
the same booking with ``confirm=1``.

The booking goes through the same reading as the API (:func:`parse_booking`)
and the same rules as every redemption (:func:`redeem`); a rule's message is
shown in the form when the coupon does not apply.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput, TimeInput

from ..domain.errors import Conflict, CouponRejected, InvalidRequest
from ..domain.messages import BOOKING_TYPE_LABELS
from ..domain.money import Price, format_money
from ..services.quoting import quote
from ..services.redeeming import redeem
from ..state import get_state
from ..store.queries import get_coupon, primary_code
from ..web.bodies import parse_booking
from .auth import actor
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
    booking_time = StringField("Start time", widget=TimeInput(),
                               description="The appointment's local time (for hours rules).")
    booking_type = SelectField("Booking type", choices=list(BOOKING_TYPE_LABELS.items()))
    lines = TextAreaField("Lines (optional)",
                          description="One per line: service id, quantity, unit price, and "
                                      "optionally staff and location ids — e.g. "
                                      "deep, 1, 140.00, maria, north. With lines the amount "
                                      "may be left empty.")

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "booking_ref": self.booking_ref.data, "email": self.email.data,
            "subtotal": (self.subtotal.data or "").strip(),
            "booking_date": self.booking_date.data, "booking_time": self.booking_time.data,
            "booking_type": self.booking_type.data}
        items = lines_from_text(self.lines.data or "")
        if items:
            body["items"] = items
        return body


LINE_KEYS = ("service", "quantity", "unit_price", "staff", "location")


def lines_from_text(text: str) -> list[dict[str, str]]:
    """The typed lines as booking lines (their values are checked by :func:`parse_booking`)."""
    found = []
    for row in text.splitlines():
        parts = [p.strip() for p in row.split(",")]
        if any(parts):
            found.append({k: v for k, v in zip(LINE_KEYS, parts, strict=False) if v})
    return found


def manual_apply(coupon_id: int) -> Any:
    """First a preview (the rules and the discount, nothing recorded), then ``confirm``
    redeems exactly what was previewed."""
    state = get_state()
    coupon = get_coupon(db(), coupon_id)
    code = primary_code(db(), coupon_id) or ""
    form = ManualApplyForm()
    rejected: str | None = None
    preview: Price | None = None
    status = 200
    if form.is_submitted():
        validate_or_400(form)  # the CSRF token; parse_booking judges the fields
        try:
            _code, booking = parse_booking({**form.body(), "code": code}, need_ref=True)
            if request.form.get("confirm") != "1":
                preview = quote(code, booking, counted=False).price
            else:
                result = redeem(code, booking, source="manual", actor=actor())
        except InvalidRequest as exc:
            for name, message in exc.errors.items():
                target = getattr(form, "lines" if name.startswith("items") else name, None)
                if target is not None:
                    target.errors = [*target.errors, message]
            status = 400
        except (CouponRejected, Conflict) as exc:
            rejected = exc.message
            status = 422 if isinstance(exc, CouponRejected) else 409
        else:
            if preview is None:
                r = result.redemption
                if result.created:
                    flash(f"{code} applied to booking {r.booking_ref}: "
                          f"{format_money(r.discount, state.currency)} off, total "
                          f"{format_money(r.total, state.currency)}.", "success")
                else:
                    flash(f"Booking {r.booking_ref} already has {code}; nothing changed.", "info")
                return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))
    return render_template("admin/manual_apply.html", form=form, coupon=coupon, code=code,
                           rejected=rejected, preview=preview), status
