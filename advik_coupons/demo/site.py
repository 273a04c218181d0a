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

from babel.dates import format_date
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

from ..domain.booking import Booking, Line
from ..domain.codes import MAX_CODE_LENGTH, normalize_code
from ..domain.errors import CouponRejected
from ..domain.messages import N_
from ..domain.money import babel_locale, format_money, price
from ..domain.values import read_time
from ..resources import resource_dir
from ..services.context import site_today
from ..services.ledger import record_booking
from ..services.redeeming import redeem
from ..state import get_state
from ..store.models import Redemption
from ..web.bodies import EMAIL_RE
from ..web.i18n import bcp47, rejection_message, request_locale, translate
from ..web.ratelimit import check_apply_limit
from .data import (
    CATALOG,
    DEMO_COUPONS,
    FREQUENCIES,
    LOCATIONS,
    SERVICES,
    STAFF,
    TIMES,
    DemoCoupon,
    demo_usage,
    lines_of,
    rule_text,
    subtotal_of,
)

bp = Blueprint("advik_demo", __name__, template_folder=str(resource_dir("templates")))
SESSION_KEY = "advik_demo_booking"
bp.before_request(check_apply_limit)  # a booking with a typed code is a guess like an apply


def register(app: Flask, prefix: str) -> None:
    app.register_blueprint(bp, url_prefix=prefix + "/demo")


@dataclass
class Selection:
    """The booking form, checked. Prices come from the catalog only."""

    services: list[str] = field(default_factory=list)
    day: date | None = None
    at: str = "09:00"
    staff: str = ""
    location: str = "north"
    frequency: str = "once"
    email: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def subtotal(self) -> Decimal:
        return subtotal_of(self.services)

    @property
    def booking_type(self) -> str:
        return "one_time" if self.frequency == "once" else "recurring"

    @property
    def lines(self) -> tuple[Line, ...]:
        return lines_of(self.services, self.staff, self.location)

    def booking(self, ref: str | None = None) -> Booking:
        """The booking the server prices: its lines from the catalog, never the browser."""
        series = ref if ref and self.booking_type == "recurring" else None
        return Booking(subtotal=self.subtotal, email=self.email, booking_date=self.day,
                       booking_time=read_time(self.at), booking_type=self.booking_type,
                       booking_ref=ref, series_ref=series, items=self.lines)

    def widget_booking(self) -> dict[str, Any]:
        """The same booking for the widget's data attributes (names shown to the customer)."""
        return {"subtotal": str(self.subtotal), "email": self.email,
                "booking_date": self.day.isoformat() if self.day else "",
                "booking_time": self.at, "booking_type": self.booking_type,
                "items": [{**line.as_json(), "name": translate(SERVICES[line.service].name)}
                          for line in self.lines]}

    def query(self) -> dict[str, Any]:
        return {"service": self.services, "date": self.day.isoformat() if self.day else "",
                "time": self.at, "staff": self.staff, "location": self.location,
                "frequency": self.frequency, "email": self.email}


def _today() -> date:
    return site_today(get_state())


def read_selection(values: MultiDict[str, str]) -> Selection:
    sel = Selection()
    sel.services = [s for s in dict.fromkeys(values.getlist("service")) if s in SERVICES]
    if not sel.services:
        sel.errors["service"] = translate(N_("Choose at least one service."))
    raw_day = (values.get("date") or "").strip()
    try:
        sel.day = date.fromisoformat(raw_day) if len(raw_day) == 10 else None
    except ValueError:
        sel.day = None
    if sel.day is None:
        sel.errors["date"] = translate(N_("Choose a date."))
    elif sel.day < _today():
        sel.errors["date"] = translate(N_("Choose today or a later date."))
    sel.at = values.get("time") or "09:00"
    if sel.at not in TIMES:
        sel.errors["time"] = translate(N_("Choose a start time."))
        sel.at = "09:00"
    sel.staff = values.get("staff") or ""
    if sel.staff not in STAFF:
        sel.errors["staff"] = translate(N_("Choose who cleans."))
        sel.staff = ""
    sel.location = values.get("location") or "north"
    if sel.location not in LOCATIONS:
        sel.errors["location"] = translate(N_("Choose a branch."))
        sel.location = "north"
    sel.frequency = values.get("frequency") or "once"
    if sel.frequency not in FREQUENCIES:
        sel.errors["frequency"] = translate(N_("Choose how often."))
        sel.frequency = "once"
    sel.email = (values.get("email") or "").strip()[:254]
    if not EMAIL_RE.match(sel.email):
        sel.errors["email"] = translate(N_("Enter your e-mail address, like ann@example.com."))
    return sel


def _money(amount: Decimal) -> str:
    return format_money(amount, get_state().currency, request_locale())


@bp.context_processor
def _language() -> dict[str, Any]:
    """The page's language (``<html lang>``, which the scripts format amounts for) and dates."""
    return {"advik_lang": bcp47(request_locale()), "long_date": _long_date}


def _long_date(day: date | None) -> str:
    """``Monday, December 7, 2026`` / ``Montag, 7. Dezember 2026``."""
    return str(format_date(day, "full", locale=babel_locale(request_locale()))) if day else ""


def _rules(coupons: tuple[DemoCoupon, ...]) -> list[tuple[DemoCoupon, str]]:
    locale, currency = request_locale(), get_state().currency
    return [(c, rule_text(c, currency, locale, translate)) for c in coupons]


@bp.app_template_filter("advik_money")
def _money_filter(amount: Decimal) -> str:
    return _money(amount)


@bp.get("/")
def booking_page() -> ResponseReturnValue:
    """The booking form, empty or with the choices a "Change the booking" link carries."""
    if request.args.get("service"):
        sel = read_selection(request.args)
        sel.errors = {}
    else:
        sel = Selection(day=_today() + timedelta(days=1))
    return _render_booking(sel)


def _render_booking(sel: Selection, status: int = 200) -> ResponseReturnValue:
    usage = demo_usage()
    return render_template("demo/booking.html", sel=sel, catalog=CATALOG,
                           frequencies=FREQUENCIES, coupons=_rules(DEMO_COUPONS), usage=usage,
                           staff=STAFF, locations=LOCATIONS, times=TIMES,
                           today=_today().isoformat(), currency=get_state().currency), status


def _render_payment(sel: Selection, *, code: str = "", error: str = "",
                    status: int = 200) -> ResponseReturnValue:
    return render_template("demo/payment.html", sel=sel, booking=sel.widget_booking(),
                           services=[SERVICES[s] for s in sel.services],
                           staff=STAFF[sel.staff], location=LOCATIONS[sel.location],
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
        abort(400, description=translate(N_("The form expired; go back and try again.")))
    sel = read_selection(request.form)
    if sel.errors:
        return _render_booking(sel, 400)
    raw_code = (request.form.get("coupon_code") or "").strip()[:MAX_CODE_LENGTH]
    ref = "DEMO-" + secrets.token_hex(5).upper()
    booking = sel.booking(ref)
    if raw_code:
        try:
            redeem(normalize_code(raw_code), booking, source="checkout")
        except CouponRejected as rejected:
            return _render_payment(sel, code=raw_code, error=rejection_message(rejected),
                                   status=422)
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
                                      ("date", "time", "staff", "location", "frequency",
                                       "email")]))
    state = get_state()
    redemption = state.session.execute(
        select(Redemption).where(Redemption.booking_ref == ref)).scalar_one_or_none()
    coupon: dict[str, Any] | None = None
    later_discount = Decimal("0")
    if redemption is not None:
        amounts = price(redemption.subtotal, redemption.discount, state.tax_rate, state.currency)
        kept = redemption.kept_terms or {}
        coupon = {"code": redemption.code, "scope": redemption.recurring_scope,
                  "visits": kept.get("recurring_occurrences")}
        if redemption.recurring_scope in {"all", "first_n"}:
            later_discount = redemption.discount
    else:
        amounts = price(sel.subtotal, Decimal("0"), state.tax_rate, state.currency)
    later = price(sel.subtotal, later_discount, state.tax_rate, state.currency)
    return render_template("demo/confirmation.html", ref=ref, sel=sel,
                           services=[SERVICES[s] for s in sel.services],
                           frequency=FREQUENCIES[sel.frequency], coupon=coupon,
                           staff=STAFF[sel.staff], location=LOCATIONS[sel.location],
                           amounts=amounts, later=later)
