"""Reading request bodies: JSON or form, into a code and a :class:`Booking`.

Every problem becomes :class:`InvalidRequest` (400) naming the field, except a
body over :data:`MAX_BODY` (``413``, the faces answer it as JSON); nothing here
touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain.booking import BOOKING_TYPES, MAX_LINES, MAX_QUANTITY, Booking, Line
from ..domain.codes import MAX_CODE_LENGTH, normalize_code
from ..domain.coupon import ID_RE
from ..domain.emails import EMAIL_RE
from ..domain.errors import InvalidRequest
from ..domain.money import MAX_MONEY, fits_unit, is_amount_text, minor_units, to_unit
from ..domain.values import read_time
from ..state import get_state

MAX_REF = 120
MAX_OTHER_CODES = 10
MAX_BODY = 64 * 1024


BODY_KEY = "advik_coupons.body"


def read_body(req: Request) -> dict[str, Any]:
    """The request's JSON object or form fields, parsed once per request."""
    parsed = req.environ.get(BODY_KEY)
    if parsed is None:
        parsed = req.environ[BODY_KEY] = _parse_body(req)
    return dict(parsed)


def _parse_body(req: Request) -> dict[str, Any]:
    if req.content_length is not None and req.content_length > MAX_BODY:
        raise RequestEntityTooLarge(f"The request body is larger than {MAX_BODY // 1024} KB.")
    if req.is_json:
        raw = req.get_data(cache=True)
        if not raw.strip():
            raise InvalidRequest({"body": "Send a JSON object."})
        try:
            body = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise InvalidRequest({"body": "The body is not valid JSON."}) from None
        if not isinstance(body, dict):
            raise InvalidRequest({"body": "Send a JSON object."})
        check_encodable(body)
        return body
    if req.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return {k: v for k, v in req.form.items()}
    if not req.get_data(cache=True):
        return {}
    raise InvalidRequest({"body": "Send JSON (application/json) or a form."})


def check_encodable(body: Mapping[str, Any]) -> None:
    """Lone surrogates (valid JSON escapes, not valid text) never reach the database."""
    errors: dict[str, str] = {}
    for key, value in body.items():
        for item in _texts(value):
            if not _encodable(item):
                errors[str(key)[:50]] = "Contains characters that are not allowed."
        if not _encodable(str(key)):
            errors["body"] = "Field names must be text."
    if errors:
        raise InvalidRequest(errors)


def _texts(value: Any) -> list[str]:
    """Every string inside a JSON value (lists and objects looked into)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [str(k), *_texts(v)]]
    return []


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def text_field(body: Mapping[str, Any], key: str, errors: dict[str, str], *,
               required: bool = False, max_length: int = MAX_REF) -> str | None:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = "This field is required."
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[key] = "Must be a string."
        return None
    text = str(value).strip()
    if len(text) > max_length:
        errors[key] = f"At most {max_length} characters."
        return None
    return text


def money_field(body: Mapping[str, Any], key: str, errors: dict[str, str], *,
                required: bool = True) -> Decimal | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            errors[key] = "This field is required."
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        errors[key] = "Must be an amount like 120.00."
        return None
    text = str(value).strip()
    try:
        amount = Decimal(text) if is_amount_text(text) else None
    except InvalidOperation:
        amount = None
    if amount is None:
        errors[key] = "Must be an amount like 120.00."
        return None
    if not amount.is_finite():
        errors[key] = "Must be an amount like 120.00."
    elif amount < 0:
        errors[key] = "Must be 0 or more."
    elif amount > MAX_MONEY:
        errors[key] = f"Must be at most {MAX_MONEY}."
    elif not fits_unit(amount, currency := get_state().currency):
        places = minor_units(currency)
        errors[key] = (f"Use whole amounts ({currency} has no decimals)." if places == 0
                       else f"Use at most {places} decimals.")
    else:
        return to_unit(amount + 0, currency)  # + 0: -0 is 0
    return None


def email_field(body: Mapping[str, Any], errors: dict[str, str]) -> str | None:
    email = text_field(body, "email", errors, max_length=254)
    if email is not None and not EMAIL_RE.match(email):
        errors["email"] = "Enter a valid e-mail address."
        return None
    return email


def date_field(body: Mapping[str, Any], key: str, errors: dict[str, str]) -> date | None:
    raw = text_field(body, key, errors, max_length=10)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = "Use a date like 2026-12-07."
        return None


def int_field(body: Mapping[str, Any], key: str, errors: dict[str, str],
              default: int = 0, maximum: int = 100_000) -> int:
    value = body.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors[key] = "Must be a whole number."
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[key] = "Must be a whole number."
        return default
    if not 0 <= number <= maximum:
        errors[key] = f"Must be from 0 to {maximum}."
        return default
    return number


def time_field(body: Mapping[str, Any], key: str, errors: dict[str, str]) -> time | None:
    raw = text_field(body, key, errors, max_length=5)
    if raw is None:
        return None
    try:
        return read_time(raw)
    except ValueError:
        errors[key] = "Use a time like 09:30."
        return None


def _id_field(line: Mapping[str, Any], key: str, where: str, errors: dict[str, str], *,
              required: bool = False) -> str | None:
    value = line.get(key)
    if value is None or value == "":
        if required:
            errors[f"{where}.{key}"] = "This field is required."
        return None
    if not isinstance(value, str) or not ID_RE.match(value):
        errors[f"{where}.{key}"] = "Use an id of letters, digits, -, _ and . (at most 64)."
        return None
    return value


def _quantity(line: Mapping[str, Any], where: str, errors: dict[str, str]) -> int:
    value = line.get("quantity", 1)
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[f"{where}.quantity"] = "Must be a whole number."
        return 1
    try:
        number = int(str(value).strip()) if str(value).strip().isascii() else -1
    except ValueError:
        number = -1
    if not 1 <= number <= MAX_QUANTITY:
        errors[f"{where}.quantity"] = f"Must be a whole number from 1 to {MAX_QUANTITY}."
        return 1
    return number


def items_field(body: Mapping[str, Any], errors: dict[str, str]) -> tuple[Line, ...]:
    """The booking's lines (``items``), each field checked and named ``items[i].field``."""
    raw = body.get("items")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LINES:
        errors["items"] = f"Send a list of 1 to {MAX_LINES} lines."
        return ()
    lines: list[Line] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for index, line in enumerate(raw):
        where = f"items[{index}]"
        if not isinstance(line, dict):
            errors[where] = "Each line is an object with a service and a unit_price."
            continue
        service = _id_field(line, "service", where, errors, required=True)
        staff = _id_field(line, "staff", where, errors)
        location = _id_field(line, "location", where, errors)
        quantity = _quantity(line, where, errors)
        unit_errors: dict[str, str] = {}
        unit_price = money_field(line, "unit_price", unit_errors)
        errors.update({f"{where}.{k}": v for k, v in unit_errors.items()})
        if service is None or unit_price is None:
            continue
        if (service, staff, location) in seen:
            errors[where] = "The same service, staff and location twice: add the quantities."
            continue
        seen.add((service, staff, location))
        lines.append(Line(service=service, unit_price=unit_price, quantity=quantity,
                          staff=staff, location=location))
    return tuple(lines)


def codes_field(body: Mapping[str, Any], errors: dict[str, str]) -> tuple[str, ...]:
    raw = body.get("other_codes")
    if raw is None:
        return ()
    if (not isinstance(raw, list) or len(raw) > MAX_OTHER_CODES
            or not all(isinstance(c, str) and len(c) <= MAX_CODE_LENGTH for c in raw)):
        errors["other_codes"] = f"Send a list of at most {MAX_OTHER_CODES} codes."
        return ()
    return tuple(normalize_code(c) for c in raw if c.strip())


def _subtotal(body: Mapping[str, Any], items: tuple[Line, ...],
              errors: dict[str, str]) -> Decimal | None:
    """The subtotal given, or the lines' sum; when both are given they must agree."""
    # Without lines (none sent, or "items": null) the subtotal is needed; bad lines are
    # reported on their own.
    given = money_field(body, "subtotal", errors, required=not items and "items" not in errors)
    if not items:
        return given
    total = sum((line.amount for line in items), Decimal("0.00"))
    if total > MAX_MONEY:
        errors["items"] = f"The lines add up to more than {MAX_MONEY}."
        return None
    if given is not None and given != total:
        errors["subtotal"] = f"The lines add up to {total}, not {given}."
        return None
    return total


def parse_booking(body: Mapping[str, Any], *, need_ref: bool = False,
                  need_code: bool = True) -> tuple[str, Booking]:
    """A code and a booking from a quote, redeem or ledger body."""
    errors: dict[str, str] = {}
    code = ""
    if need_code:
        raw_code = text_field(body, "code", errors, required=True, max_length=MAX_CODE_LENGTH)
        code = normalize_code(raw_code) if raw_code else ""
    items = items_field(body, errors)
    subtotal = _subtotal(body, items, errors)
    email = email_field(body, errors)
    booking_date = date_field(body, "booking_date", errors)
    booking_type = text_field(body, "booking_type", errors) or "one_time"
    if booking_type not in BOOKING_TYPES:
        errors["booking_type"] = "Must be one_time or recurring."
    booking_ref = text_field(body, "booking_ref", errors, required=need_ref)
    series_ref = text_field(body, "series_ref", errors)
    occurrence = int_field(body, "occurrence", errors)
    booking_time = time_field(body, "booking_time", errors)
    other_codes = codes_field(body, errors)
    if errors:
        raise InvalidRequest(errors)
    assert subtotal is not None
    return code, Booking(subtotal=subtotal, email=email, booking_date=booking_date,
                         booking_type=booking_type, booking_ref=booking_ref,
                         series_ref=series_ref, occurrence=occurrence, items=items,
                         booking_time=booking_time, other_codes=other_codes)
