"""One coupon form for the admin pages and the JSON API, made from the field list.

:class:`CouponForm` has one WTForms field per entry of
:data:`~advik_coupons.domain.coupon.FIELDS` (its kind picks the field class
and validators), plus the "generate a code" box. The admin page posts it as
HTML (with Flask-WTF's CSRF token); the API feeds a JSON body through
:func:`formdata_from_json`, which turns JSON values into form values and
names each field whose JSON type is wrong. Either way the same validators
decide, and :meth:`CouponForm.values` gives clean Python values (``Decimal``,
aware ``datetime``, ``frozenset``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from decimal import Decimal
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

from ..domain.codes import is_valid_code, normalize_code
from ..domain.coupon import (
    FIELDS,
    MAX_USES,
    READ_ONLY,
    FieldSpec,
    defaults,
    ordered,
)
from ..domain.errors import InvalidRequest
from ..domain.money import MAX_MONEY, is_amount_text
from ..domain.values import hours_text, read_emails, read_hours, read_ids, words
from .moments import MomentField, moment_text

#: The form's fields that are not coupon fields.
EXTRA_FLAGS = ("generate",)


COUNT_RANGE = "Enter a whole number of 1 or more (or leave it empty)."


class WholeNumberField(IntegerField):
    """A count; what is not a whole number is told in the owner's words."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, like 10.") from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ParsedField(StringField):
    """A text field holding a list the owner types; ``parsed`` is its clean value."""

    def __init__(self, *args: Any, read: Callable[[str], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = read
        self.parsed: Any = None

    def pre_validate(self, form: Any) -> None:
        try:
            self.parsed = self.read(self.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ParsedArea(ParsedField):
    widget = TextAreaField.widget


def _read_ids(text: str) -> frozenset[str]:
    return read_ids(words(text))


def _read_emails(text: str) -> tuple[str, ...]:
    return read_emails(words(text))


def list_text(spec: FieldSpec, value: Any) -> str:
    """A stored ``ids``, ``emails`` or ``hours`` value as the owner types it."""
    if spec.kind == "ids":
        return ", ".join(sorted(value or ()))
    if spec.kind == "emails":
        return "\n".join(value or ())
    return hours_text(value or ())


def _finite_money(form: Any, field: Field) -> None:
    value = field.data
    if value is None:
        return
    if field.raw_data and not is_amount_text(str(field.raw_data[0])):
        raise ValidationError("Enter a number like 120.00.")
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError("Enter a number.")
    if value < 0:
        raise ValidationError("Must be 0 or more.")
    if value > MAX_MONEY:
        raise ValidationError(f"Must be at most {MAX_MONEY}.")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("Use at most two decimals.")


def _positive_money(form: Any, field: Field) -> None:
    if isinstance(field.data, Decimal) and field.data.is_finite() and field.data <= 0:
        raise ValidationError("Must be more than 0 (or empty: no cap).")


def _choices(spec: FieldSpec) -> list[tuple[str, str]]:
    return [(c, spec.choice_labels.get(c, c)) for c in spec.choices]


def _form_field(spec: FieldSpec) -> Field:
    """The WTForms field for one coupon field, by its kind."""
    required = [DataRequired(spec.required_message)] if spec.required else [Optional()]
    length = [Length(max=spec.max_length)] if spec.max_length else []
    default = sorted(spec.default) if isinstance(spec.default, frozenset) else spec.default
    options: dict[str, Any] = {"description": spec.help}
    money_checks = [Optional(), _finite_money, _positive_money] if spec.optional else [
        *required, _finite_money]
    makers: dict[str, Callable[[], Field]] = {
        "text": lambda: StringField(spec.label, required + length, **options),
        "longtext": lambda: TextAreaField(spec.label, [Optional(), *length], **options),
        "code": lambda: StringField(spec.label, length, **options),
        "choice": lambda: SelectField(spec.label, choices=_choices(spec), default=default,
                                      **options),
        "money": lambda: DecimalField(spec.label, money_checks, default=default, **options),
        "count": lambda: WholeNumberField(
            spec.label, [Optional(), NumberRange(min=1, max=MAX_USES, message=COUNT_RANGE)],
            **options),
        "flag": lambda: BooleanField(spec.label, default=default, **options),
        "set": lambda: MultiCheckboxField(spec.label, choices=_choices(spec),
                                          default=[c for c in spec.choices if c in spec.default],
                                          **options),
        "moment": lambda: MomentField(spec.label, end_of_day=spec.inclusive_end,
                                      time_label=spec.label.removesuffix("s") + " time",
                                      **options),
        "ids": lambda: ParsedField(spec.label, read=_read_ids, **options),
        "emails": lambda: ParsedArea(spec.label, read=_read_emails, **options),
        "hours": lambda: ParsedField(spec.label, read=read_hours, **options),
    }
    return makers[spec.kind]()  # type: ignore[return-value]


#: (field, choice field, choice, message): a number a choice cannot go without.
NEEDED_WITH = (
    ("audience_days", "audience", "lapsed",
     "Enter how many days without a booking count as a while."),
    ("audience_min_bookings", "audience", "loyal",
     "Enter how many bookings make a regular customer."),
    ("recurring_occurrences", "recurring_scope", "first_n",
     "Enter how many bookings of a series are discounted."),
)


class _CouponFormBase(FlaskForm):
    """The checks that read more than one field; the fields come from :data:`FIELDS`."""

    generate = BooleanField("Generate a code for me")

    def __init__(self, *args: Any, tz: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def validate_code(self, field: Field) -> None:
        raw = field.data or ""
        if not raw.strip():
            if not self.generate.data:
                raise ValidationError("Enter a code, or generate one.")
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
        if self["discount_type"].data == "percent" and value > 100:
            raise ValidationError("A percentage is at most 100.")

    def validate_max_subtotal(self, field: Field) -> None:
        low, high = self["min_subtotal"].data, field.data
        if (isinstance(low, Decimal) and isinstance(high, Decimal) and low.is_finite()
                and high.is_finite() and low > 0 and high > 0 and high < low):
            raise ValidationError("Must be at least the minimum amount.")

    def validate_booking_types(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Pick one-time, recurring or both.")

    def validate(self, extra_validators: Any = None) -> bool:
        """Every field's checks, then the numbers a choice needs (a lapsed audience its days…)."""
        valid: bool = super().validate(extra_validators)
        for name, choice, value, message in NEEDED_WITH:
            field = self[name]
            if self[choice].data == value and field.data is None and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def validate_starts_at(self, field: MomentField) -> None:
        field.moment = field.parse(self.tz)

    def validate_ends_at(self, field: MomentField) -> None:
        field.moment = field.parse(self.tz)
        starts = self["starts_at"].moment
        if field.moment is not None and starts is not None and field.moment < starts:
            raise ValidationError("Must be after the start.")

    def values(self) -> dict[str, Any]:
        """Clean values for the store, one per coupon field (after a successful ``validate()``)."""
        found: dict[str, Any] = {}
        for spec in FIELDS:
            field = self[spec.name]
            data = field.data
            if spec.kind == "moment":
                data = field.moment
            elif spec.kind == "set":
                data = frozenset(ordered(spec, data or ()))
            elif spec.kind == "flag":
                data = bool(data)
            elif spec.kind == "money":
                data = data if data is not None else spec.default
            elif spec.kind in {"ids", "emails", "hours"}:
                data = field.parsed
            elif spec.kind in {"text", "longtext"}:
                data = (data or "").strip()
            elif spec.kind == "code":
                data = data or None
            found[spec.name] = data
        return found

    def error_messages(self) -> dict[str, str]:
        return {name: "; ".join(str(e) for e in errors)
                for name, errors in self.errors.items() if errors}


class CouponForm(_CouponFormBase):
    """Every coupon field of the field list, as a form (its fields are set just below)."""


for _spec in FIELDS:
    setattr(CouponForm, _spec.name, _form_field(_spec))


def form_values(coupon: Any, code: str | None, tz: tzinfo) -> dict[str, Any]:
    """A stored coupon as the form's starting values (what an unchanged save keeps)."""
    found: dict[str, Any] = {}
    for spec in FIELDS:
        value = code if spec.name == "code" else getattr(coupon, spec.name)
        if spec.kind == "moment":
            value = moment_text(getattr(coupon, spec.name), tz, end=spec.inclusive_end)
        elif spec.kind == "set":
            value = ordered(spec, value)
        elif spec.kind in {"ids", "emails", "hours"}:
            value = list_text(spec, value)
        found[spec.name] = value
    return found


def create_defaults() -> dict[str, Any]:
    """The form values a create starts from (the field list's defaults)."""
    found = defaults()
    for spec in FIELDS:
        if spec.kind == "set":
            found[spec.name] = ordered(spec, spec.default)
        elif spec.kind in {"ids", "emails", "hours"}:
            found[spec.name] = list_text(spec, spec.default)
    return {k: v for k, v in found.items() if v is not None}


def _hours_json(value: Any) -> str | None:
    """JSON windows as the form's text, or None when they are not a list of from/to pairs."""
    if value is None:
        return ""
    if not isinstance(value, list):
        return None
    parts = []
    for item in value:
        if (not isinstance(item, dict) or set(item) != {"from", "to"}
                or not all(isinstance(v, str) and "," not in v and "-" not in v
                           for v in item.values())):
            return None
        parts.append(f"{item['from']}-{item['to']}")
    return ", ".join(parts)


def formdata_from_json(body: Mapping[str, Any], *, base: Mapping[str, Any] | None = None,
                       ) -> MultiDict[str, Any]:
    """Turn a JSON object into form data; raise :class:`InvalidRequest` naming bad fields.

    ``base`` holds the values to start from (defaults on create, the stored
    coupon on update); read-only fields (``id``, ``used``…) may be sent back
    unchanged but are ignored, so a client can PATCH what it read.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(base or {})
    specs = {spec.name: spec for spec in FIELDS}
    for key, value in body.items():
        if key in READ_ONLY:
            continue
        spec = specs.get(key)
        if spec is None and key not in EXTRA_FLAGS:
            errors[key] = "Unknown field."
            continue
        kind = spec.kind if spec is not None else "flag"
        if kind == "flag":
            if not isinstance(value, bool):
                errors[key] = "Must be true or false."
            else:
                values[key] = value
        elif kind == "set":
            assert spec is not None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[key] = "Must be a list of strings."
            else:
                bad = [v for v in value if v not in spec.choices]
                if bad:
                    errors[key] = (f"Unknown value {bad[0]!r}; choose from "
                                   f"{', '.join(spec.choices)}.")
                values[key] = list(value)
        elif kind in {"ids", "emails"}:
            if value is None:
                values[key] = ""
            elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[key] = "Must be a list of strings."
            else:
                values[key] = "\n".join(value)
        elif kind == "hours":
            text = _hours_json(value)
            if text is None:
                errors[key] = 'Must be a list like [{"from": "09:00", "to": "12:00"}].'
            else:
                values[key] = text
        elif value is None:
            values[key] = ""
        elif isinstance(value, bool | dict | list):
            errors[key] = "Must be a single string or number."
        elif isinstance(value, int | float | Decimal):
            values[key] = str(value)
        elif isinstance(value, str):
            if kind == "choice" and spec is not None and value not in spec.choices:
                errors[key] = f"Choose one of {', '.join(spec.choices)}."
            values[key] = value
        else:
            errors[key] = "Unsupported value."
    if errors:
        raise InvalidRequest(errors)
    form: MultiDict[str, Any] = MultiDict()
    for key, value in values.items():
        kind = specs[key].kind if key in specs else "flag"
        if kind == "flag":
            if value:
                form.add(key, "y")
        elif kind == "set":
            for item in value:
                form.add(key, item)
        elif value is not None:
            form.add(key, value)
    return form
