"""The demo booking site (``advik-coupons demo``): book, apply a code, confirm.

Three pages under ``/demo``: the booking page (catalog, date, one-time or
recurring, e-mail, a live subtotal), the payment step with the coupon widget,
and the confirmation. "Book" posts the selection, not a price: the server
prices it from :data:`~advik_coupons.demo.data.CATALOG` and redeems the code
with :func:`~advik_coupons.services.redeeming.redeem` (``source="checkout"``), or
records a booking without one in the ledger. Registered only when
``ADVIK_DEMO`` is on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.validators import ValidationError

from ..domain.codes import MAX_CODE_LENGTH, normalize_code
from ..domain.errors import CouponRejected
from ..domain.money import format_money, price
from ..domain.rules import Booking
from ..resources import resource_dir
from ..services.context import site_today
from ..services.ledger import record_booking
from ..services.redeeming import redeem
from ..state import get_state
from ..store.models import Redemption
from ..web.bodies import EMAIL_RE
from .data import (
    CATALOG,
    DEMO_COUPONS,
    FREQUENCIES,
    SERVICES,
    demo_usage,
    subtotal_of,
)

bp = Blueprint("advik_demo", __name__, template_folder=str(resource_dir("templates")))
SESSION_KEY = "advik_demo_booking"


def register(app: Flask, prefix: str) -> None:
    app.register_blueprint(bp, url_prefix=prefix + "/demo")


@dataclass
class Selection:
    """The booking form, checked. Prices come from the catalog only."""

    services: list[str] = field(default_factory=list)
    day: date | None = None
    frequency: str = "once"
    email: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def subtotal(self) -> Decimal:
        return subtotal_of(self.services)

    @property
    def booking_type(self) -> str:
        return "one_time" if self.frequency == "once" else "recurring"

    def query(self) -> dict[str, Any]:
        return {"service": self.services, "date": self.day.isoformat() if self.day else "",
                "frequency": self.frequency, "email": self.email}


def _today() -> date:
    return site_today(get_state())


def read_selection(values: MultiDict[str, str]) -> Selection:
    sel = Selection()
    sel.services = [s for s in dict.fromkeys(values.getlist("service")) if s in SERVICES]
    if not sel.services:
        sel.errors["service"] = "Choose at least one service."
    raw_day = (values.get("date") or "").strip()
    try:
        sel.day = date.fromisoformat(raw_day) if len(raw_day) == 10 else None
    except ValueError:
        sel.day = None
    if sel.day is None:
        sel.errors["date"] = "Choose a date."
    elif sel.day < _today():
        sel.errors["date"] = "Choose today or a later date."
    sel.frequency = values.get("frequency") or "once"
    if sel.frequency not in FREQUENCIES:
        sel.errors["frequency"] = "Choose how often."
        sel.frequency = "once"
    sel.email = (values.get("email") or "").strip()[:254]
    if not EMAIL_RE.match(sel.email):
        sel.errors["email"] = "Enter your e-mail address, like ann@example.com."
    return sel


def _money(amount: Decimal) -> str:
    return format_money(amount, get_state().currency)


@bp.app_template_filter("advik_money")
def _money_filter(amount: Decimal) -> str:
    return _money(amount)


@bp.get("/")
def booking_page() -> ResponseReturnValue:
    sel = Selection(day=_today() + timedelta(days=1))
    return _render_booking(sel)


def _render_booking(sel: Selection, status: int = 200) -> ResponseReturnValue:
    usage = demo_usage()
    return render_template("demo/booking.html", sel=sel, catalog=CATALOG,
                           frequencies=FREQUENCIES, coupons=DEMO_COUPONS, usage=usage,
                           today=_today().isoformat(), currency=get_state().currency), status


def _render_payment(sel: Selection, *, code: str = "", error: str = "",
                    status: int = 200) -> ResponseReturnValue:
    booking = {"subtotal": str(sel.subtotal), "email": sel.email,
               "booking_date": sel.day.isoformat() if sel.day else "",
               "booking_type": sel.booking_type}
    return render_template("demo/payment.html", sel=sel, booking=booking,
                           services=[SERVICES[s] for s in sel.services],
                           frequency=FREQUENCIES[sel.frequency], code=code, error=error,
                           csrf=generate_csrf()), status


@bp.get("/payment")
def payment_page() -> ResponseReturnValue:
    sel = read_selection(request.args)
    if sel.errors:
        return _render_booking(sel, 400)
    return _render_payment(sel)


@bp.post("/book")
def book() -> ResponseReturnValue:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400, description="The form expired; go back and try again.")
    sel = read_selection(request.form)
    if sel.errors:
        return _render_booking(sel, 400)
    raw_code = (request.form.get("coupon_code") or "").strip()[:MAX_CODE_LENGTH]
    ref = "DEMO-" + secrets.token_hex(5).upper()
    booking = Booking(subtotal=sel.subtotal, email=sel.email, booking_date=sel.day,
                      booking_type=sel.booking_type, booking_ref=ref,
                      series_ref=ref if sel.booking_type == "recurring" else None)
    if raw_code:
        try:
            redeem(normalize_code(raw_code), booking, source="checkout")
        except CouponRejected as rejected:
            return _render_payment(sel, code=raw_code, error=rejected.message, status=422)
    else:
        record_booking(booking)
    session[SESSION_KEY] = {"ref": ref, **sel.query()}
    return redirect(url_for("advik_demo.confirmation", ref=ref))


@bp.get("/booked/<ref>")
def confirmation(ref: str) -> ResponseReturnValue:
    saved = session.get(SESSION_KEY)
    if not isinstance(saved, dict) or saved.get("ref") != ref:
        abort(404)
    sel = read_selection(MultiDict([("service", s) for s in saved.get("service", [])]
                                   + [(k, str(saved.get(k, ""))) for k in
                                      ("date", "frequency", "email")]))
    state = get_state()
    redemption = state.session.execute(
        select(Redemption).where(Redemption.booking_ref == ref)).scalar_one_or_none()
    coupon: dict[str, str] | None = None
    later_discount = Decimal("0")
    if redemption is not None:
        amounts = price(redemption.subtotal, redemption.discount, state.tax_rate)
        coupon = {"code": redemption.code, "scope": redemption.recurring_scope}
        if redemption.recurring_scope == "all":
            later_discount = redemption.discount
    else:
        amounts = price(sel.subtotal, Decimal("0"), state.tax_rate)
    later = price(sel.subtotal, later_discount, state.tax_rate)
    return render_template("demo/confirmation.html", ref=ref, sel=sel,
                           services=[SERVICES[s] for s in sel.services],
                           frequency=FREQUENCIES[sel.frequency], coupon=coupon,
                           amounts=amounts, later=later)
