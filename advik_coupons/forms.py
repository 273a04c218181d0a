"""One coupon form for the admin pages and the JSON API.

The admin page posts it as HTML (with Flask-WTF's CSRF token); the API feeds
a JSON body through :func:`formdata_from_json`, which turns JSON values into
form values and names each field whose JSON type is wrong. Either way the
same validators decide, and :meth:`CouponForm.values` gives clean Python
values (``Decimal``, aware ``datetime``, ``frozenset``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .errors import InvalidRequest
from .rules import (
    AUDIENCES,
    BOOKING_TYPES,
    DISCOUNT_TYPES,
    MAX_CODE_LENGTH,
    RECURRING_SCOPES,
    WEEKDAYS,
    end_of_day,
    is_valid_code,
    normalize_code,
    start_of_day,
)

MAX_MONEY = Decimal("9999999999.99")
MAX_USES = 2_000_000_000

BOOLEAN_FIELDS = ("once_per_customer", "active", "generate")
LIST_FIELDS = ("days_of_week", "booking_types")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MomentField(StringField):
    """A date (``2026-12-31``) or a date-time with or without an offset.

    A bare date means the start of the day (``end_of_day=False``) or its last
    second (``True``) in the form's site time zone; a naive date-time is read
    in the site time zone too.
    """

    def __init__(self, *args: Any, end_of_day: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.end_of_day = end_of_day
        self.moment: datetime | None = None

    def parse(self, tz: tzinfo) -> datetime | None:
        raw = (self.data or "").strip()
        if not raw:
            return None
        try:
            if len(raw) == 10:
                day = date.fromisoformat(raw)
                return end_of_day(day, tz) if self.end_of_day else start_of_day(day, tz)
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("Use a date like 2026-12-31 or 2026-12-31T18:00.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.replace(microsecond=0)


def _finite_money(form: Any, field: Field) -> None:
    value = field.data
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError("Enter a number.")
    if value < 0:
        raise ValidationError("Must be 0 or more.")
    if value > MAX_MONEY:
        raise ValidationError(f"Must be at most {MAX_MONEY}.")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("Use at most two decimals.")


class CouponForm(FlaskForm):
    name = StringField("Name", [DataRequired("Enter a name."), Length(max=120)],
                       description="For your team only; customers never see it.")
    description = TextAreaField("Description", [Optional(), Length(max=2000)],
                                description="Internal notes.")
    code = StringField("Coupon code", [Length(max=MAX_CODE_LENGTH)],
                       description="What customers type. Letters, digits, - and _.")
    generate = BooleanField("Generate a code for me")
    discount_type = SelectField("Discount type", choices=[("percent", "Percentage (%)"),
                                                          ("fixed", "Fixed amount")],
                                default="percent")
    discount_value = DecimalField("Discount value", [DataRequired("Enter the discount."),
                                                     _finite_money])
    audience = SelectField("Who can use it", choices=[
        ("all", "All customers"), ("existing", "Existing customers only"),
        ("new", "New customers only")], default="all")
    starts_at = MomentField("Starts", description="Empty: now. A date: the start of that day.")
    ends_at = MomentField("Ends", end_of_day=True,
                          description="Optional. A date: the end of that day (inclusive).")
    days_of_week = MultiCheckboxField("Days of the week",
                                      choices=[(d, d.capitalize()) for d in WEEKDAYS],
                                      description="None ticked: every day.")
    max_uses = IntegerField("Max uses", [Optional(), NumberRange(min=1, max=MAX_USES)],
                            description="Total redemptions. Empty: unlimited.")
    once_per_customer = BooleanField("Once per customer (by e-mail)")
    min_subtotal = DecimalField("Minimum amount", [Optional(), _finite_money], default=0,
                                description="0: no minimum.")
    max_subtotal = DecimalField("Maximum amount", [Optional(), _finite_money], default=0,
                                description="0: no maximum.")
    booking_types = MultiCheckboxField("Booking types",
                                       choices=[("one_time", "One-time"),
                                                ("recurring", "Recurring")],
                                       default=list(BOOKING_TYPES))
    recurring_scope = SelectField("Recurring bookings", choices=[
        ("first", "First booking of the series only"), ("all", "Every booking in the series")],
        default="first")
    active = BooleanField("Active", default=True)

    def __init__(self, *args: Any, tz: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def validate_code(self, field: Field) -> None:
        raw = field.data or ""
        if not raw.strip():
            if not self.generate.data:
                raise ValidationError("Enter a code, or ask for one to be generated.")
            return
        code = normalize_code(raw)
        if not is_valid_code(code):
            raise ValidationError("Use only letters, digits, - and _ (at most 50).")
        field.data = code

    def validate_discount_value(self, field: Field) -> None:
        value = field.data
        if not isinstance(value, Decimal) or not value.is_finite():
            return
        if value <= 0:
            raise ValidationError("Must be greater than 0.")
        if self.discount_type.data == "percent" and value > 100:
            raise ValidationError("A percentage is at most 100.")

    def validate_max_subtotal(self, field: Field) -> None:
        low, high = self.min_subtotal.data, field.data
        if (isinstance(low, Decimal) and isinstance(high, Decimal) and low.is_finite()
                and high.is_finite() and low > 0 and high > 0 and high < low):
            raise ValidationError("Must be at least the minimum amount.")

    def validate_booking_types(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Pick one-time, recurring or both.")

    def validate_starts_at(self, field: MomentField) -> None:
        field.moment = field.parse(self.tz)

    def validate_ends_at(self, field: MomentField) -> None:
        field.moment = field.parse(self.tz)
        starts = self.starts_at.moment
        if field.moment is not None and starts is not None and field.moment < starts:
            raise ValidationError("Must be after the start.")

    def values(self) -> dict[str, Any]:
        """Clean values for the model (call after a successful ``validate()``)."""
        return {
            "name": self.name.data.strip(),
            "description": (self.description.data or "").strip(),
            "code": self.code.data or None,
            "discount_type": self.discount_type.data,
            "discount_value": self.discount_value.data,
            "audience": self.audience.data,
            "starts_at": self.starts_at.moment,
            "ends_at": self.ends_at.moment,
            "days_of_week": ",".join(d for d in WEEKDAYS if d in (self.days_of_week.data or [])),
            "max_uses": self.max_uses.data,
            "once_per_customer": bool(self.once_per_customer.data),
            "min_subtotal": self.min_subtotal.data or Decimal("0"),
            "max_subtotal": self.max_subtotal.data or Decimal("0"),
            "booking_types": ",".join(b for b in BOOKING_TYPES
                                      if b in (self.booking_types.data or [])),
            "recurring_scope": self.recurring_scope.data,
            "active": bool(self.active.data),
        }

    def error_messages(self) -> dict[str, str]:
        return {name: "; ".join(str(e) for e in errors)
                for name, errors in self.errors.items() if errors}


CHOICES = {"discount_type": DISCOUNT_TYPES, "audience": AUDIENCES,
           "recurring_scope": RECURRING_SCOPES}
def _field_names() -> frozenset[str]:
    return frozenset({"name", "description", "code", "generate", "discount_type",
                      "discount_value", "audience", "starts_at", "ends_at", "days_of_week",
                      "max_uses", "once_per_customer", "min_subtotal", "max_subtotal",
                      "booking_types", "recurring_scope", "active"})


def formdata_from_json(body: Mapping[str, Any], *, base: Mapping[str, Any] | None = None,
                       read_only: frozenset[str] = frozenset()) -> MultiDict[str, Any]:
    """Turn a JSON object into form data; raise :class:`InvalidRequest` naming bad fields.

    ``base`` holds the values to start from (defaults on create, the stored
    coupon on update); ``read_only`` fields may be sent back unchanged but are
    ignored (``id``, ``used``…), so a client can PATCH what it read.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(base or {})
    known = _field_names()
    for key, value in body.items():
        if key in read_only:
            continue
        if key not in known:
            errors[key] = "Unknown field."
            continue
        if key in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                errors[key] = "Must be true or false."
            else:
                values[key] = value
        elif key in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[key] = "Must be a list of strings."
            else:
                allowed = WEEKDAYS if key == "days_of_week" else BOOKING_TYPES
                bad = [v for v in value if v not in allowed]
                if bad:
                    errors[key] = f"Unknown value {bad[0]!r}; choose from {', '.join(allowed)}."
                values[key] = list(value)
        elif value is None:
            values[key] = ""
        elif isinstance(value, bool | dict | list):
            errors[key] = "Must be a single string or number."
        elif isinstance(value, int | float | Decimal):
            values[key] = str(value)
        elif isinstance(value, str):
            if key in CHOICES and value not in CHOICES[key]:
                errors[key] = f"Choose one of {', '.join(CHOICES[key])}."
            values[key] = value
        else:
            errors[key] = "Unsupported value."
    if errors:
        raise InvalidRequest(errors)
    form: MultiDict[str, Any] = MultiDict()
    for key, value in values.items():
        if key in BOOLEAN_FIELDS:
            if value:
                form.add(key, "y")
        elif key in LIST_FIELDS:
            for item in value:
                form.add(key, item)
        elif value is not None:
            form.add(key, value)
    return form


CREATE_DEFAULTS: dict[str, Any] = {
    "discount_type": "percent", "audience": "all", "days_of_week": [],
    "once_per_customer": False, "min_subtotal": "0", "max_subtotal": "0",
    "booking_types": list(BOOKING_TYPES), "recurring_scope": "first", "active": True,
}


def parse_decimal(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None
