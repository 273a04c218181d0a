"""The JSON Schemas of the OpenAPI document, made from the code's own definitions.

A coupon's request and answer are built from :data:`~advik_coupons.domain.coupon.FIELDS`
(each field's kind says its schema), a redemption from
:data:`~advik_coupons.services.serialize.REDEMPTION_FIELDS`, the overview's figures
from :data:`~advik_coupons.store.overview.CSV_COLUMNS`, and the reason codes from the
domain's one catalog (:mod:`advik_coupons.domain.messages`). Where a list has a type
table here (redemptions, figures) the table is read by the list's names, so a field
added to the list without a type fails at import, not silently in the document.
"""

from __future__ import annotations

from typing import Any

from ..domain.booking import BOOKING_TYPES, MAX_LINES, MAX_QUANTITY
from ..domain.codes import CODE_RE, MAX_CODE_LENGTH
from ..domain.coupon import (
    FIELDS,
    ID_RE,
    MAX_EMAILS,
    MAX_IDS,
    MAX_USES,
    MAX_WINDOWS,
    READ_ONLY,
    FieldSpec,
)
from ..domain.messages import CONFLICTS, REASONS
from ..services.coupons import MAX_BATCH
from ..services.serialize import REDEMPTION_FIELDS
from ..store.overview import CSV_COLUMNS
from ..store.tracking import INTERVALS
from ..web.bodies import MAX_OTHER_CODES, MAX_REF
from ..web.forms import EXTRA_FLAGS

Schema = dict[str, Any]

#: Money on the wire: a string with the currency's ISO 4217 minor units
#: (``"12.00"`` USD, ``"1235"`` JPY, ``"1.250"`` KWD).
MONEY_OUT: Schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,3})?$",
                     "examples": ["12.00"]}
#: Money sent: a string, at most the currency's decimals (a JSON number is read too).
MONEY_IN: Schema = {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,3})?$",
                    "examples": ["120.00"]}
DATE: Schema = {"type": "string", "format": "date", "examples": ["2026-12-07"]}
MOMENT: Schema = {"type": "string", "format": "date-time"}
CLOCK: Schema = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                 "examples": ["09:30"]}
HOST_ID: Schema = {"type": "string", "pattern": ID_RE.pattern}
#: ``valid`` of an answer (an enum of one: some generators cannot write a boolean ``const``).
TRUE: Schema = {"type": "boolean", "enum": [True]}
FALSE: Schema = {"type": "boolean", "enum": [False]}
#: The language asked for (BCP 47). Any value is accepted: one with no catalog, or not a
#: tag at all, falls to Accept-Language, then the site's ADVIK_LOCALE (never a 400).
LOCALE_IN: Schema = {"examples": ["es", "pt-BR"],
                     "description": "The answer's language (BCP 47); else Accept-Language, "
                                    "else the site's ADVIK_LOCALE. Never refused."}
#: The catalog an answer was written with.
LOCALE_OUT: Schema = {"type": "string", "examples": ["en", "es", "fr", "de", "pt-BR"]}
WINDOW: Schema = {"type": "object", "required": ["from", "to"], "additionalProperties": False,
                  "properties": {"from": CLOCK, "to": CLOCK}}


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null`` (OpenAPI 3.1: a type list, or ``anyOf`` for a reference)."""
    if "$ref" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


# --- coupons -------------------------------------------------------------------------

def _field_out(spec: FieldSpec) -> Schema:
    """A coupon field as the API answers it."""
    kind = spec.kind
    if kind == "money":
        return nullable(MONEY_OUT) if spec.optional or not spec.required and spec.default is None \
            else MONEY_OUT
    if kind in {"text", "longtext"}:
        return {"type": "string"}
    if kind == "code":
        return nullable({"type": "string"})
    if kind == "choice":
        return {"type": "string", "enum": list(spec.choices)}
    if kind == "count":
        return nullable({"type": "integer"})
    if kind == "flag":
        return {"type": "boolean"}
    if kind == "set":
        return {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}}
    if kind == "moment":
        return nullable(MOMENT)
    if kind in {"ids", "emails"}:
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "array", "items": WINDOW}  # hours


def _field_in(spec: FieldSpec) -> Schema:
    """A coupon field as a create or change may send it."""
    kind = spec.kind
    if kind == "money":
        return nullable(MONEY_IN) if not spec.required else MONEY_IN
    if kind in {"text", "longtext"}:
        return {"type": "string", "maxLength": spec.max_length or 2000}
    if kind == "code":
        return nullable({"type": "string",
                         "pattern": rf"^\s*[A-Za-z0-9_-]{{1,{MAX_CODE_LENGTH}}}\s*$"})
    if kind == "choice":
        return {"type": "string", "enum": list(spec.choices)}
    if kind == "count":
        return nullable({"type": "integer", "minimum": 1, "maximum": MAX_USES})
    if kind == "flag":
        return {"type": "boolean"}
    if kind == "set":
        return {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}}
    if kind == "moment":
        return nullable({"type": "string", "examples": ["2027-03-31", "2027-03-31T18:00:00Z"]})
    if kind == "ids":
        return nullable({"type": "array", "maxItems": MAX_IDS, "items": HOST_ID})
    if kind == "emails":
        return nullable({"type": "array", "maxItems": MAX_EMAILS,
                         "items": {"type": "string", "maxLength": 254}})
    return nullable({"type": "array", "maxItems": MAX_WINDOWS, "items": WINDOW})  # hours


def _described(spec: FieldSpec, schema: Schema) -> Schema:
    words = spec.label + (f". {spec.help}" if spec.help else "")
    return {**schema, "description": words}


def coupon_schema() -> Schema:
    props: dict[str, Schema] = {"id": {"type": "integer"}}
    props.update({f.name: _described(f, _field_out(f)) for f in FIELDS})
    props.update(archived={"type": "boolean"}, used={"type": "integer", "minimum": 0},
                 created_at=MOMENT, updated_at=MOMENT,
                 status={"type": "string", "enum": ["active", "inactive", "scheduled",
                                                    "expired", "used_up", "archived"]})
    required = list(dict.fromkeys(["id", *(f.name for f in FIELDS), *READ_ONLY]))
    return {"type": "object", "required": required,
            "properties": props}


def coupon_input_schema(*, create: bool) -> Schema:
    props: dict[str, Schema] = {f.name: _described(f, _field_in(f)) for f in FIELDS}
    for flag in EXTRA_FLAGS:
        props[flag] = {"type": "boolean",
                       "description": "With \"code\": null, generate a code."}
    for name in READ_ONLY:
        props[name] = {"readOnly": True, "description": "Sent back from a read: ignored."}
    body: Schema = {"type": "object", "additionalProperties": False, "properties": props}
    if create:
        body["required"] = [f.name for f in FIELDS if f.required]
    return body


# --- bookings --------------------------------------------------------------------------

_BLANK_OR_ID: Schema = {"type": "string", "pattern": f"^({ID_RE.pattern[1:-1]})?$"}
LINE: Schema = {
    "type": "object", "required": ["service", "unit_price"], "additionalProperties": True,
    "properties": {"service": HOST_ID, "staff": nullable(_BLANK_OR_ID),
                   "location": nullable(_BLANK_OR_ID),
                   "quantity": {"type": ["integer", "string"], "minimum": 1,
                                "maximum": MAX_QUANTITY, "pattern": r"^\s*[0-9]{1,6}\s*$"},
                   "unit_price": MONEY_IN},
}
TEXT_REF: Schema = {"type": ["string", "integer"], "maxLength": MAX_REF,
                    "description": "Blank is the same as left out."}


def booking_properties(*, form: bool = False) -> dict[str, Schema]:
    """What a quote, apply, redeem, amend or ledger body may hold (``web.bodies``)."""
    props: dict[str, Schema] = {
        "code": {"type": "string", "minLength": 1, "maxLength": MAX_CODE_LENGTH,
                 "pattern": r"\S", "examples": ["spring10"]},
        "subtotal": nullable({**MONEY_IN, "pattern": f"^({MONEY_IN['pattern'][1:-1]})?$",
                              "description": "Before discount and tax; the lines' sum when "
                                             "left out (or empty) with items."}),
        "email": {"anyOf": [{"type": "string", "format": "email", "maxLength": 254},
                            {"type": "string", "maxLength": 0}, {"type": "null"}],
                  "description": "Blank is the same as left out."},
        "booking_date": nullable({"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
                                  "examples": DATE["examples"]}),
        "booking_time": nullable({**CLOCK, "pattern": f"^({CLOCK['pattern'][1:-1]})?$"}),
        "booking_type": {"type": ["string", "null"], "enum": [*BOOKING_TYPES, "", None],
                         "description": "Blank: one_time."},
        "booking_ref": nullable(TEXT_REF),
        "series_ref": nullable(TEXT_REF),
        "occurrence": nullable({"type": ["integer", "string"], "minimum": 0,
                                "maximum": 100_000, "pattern": r"^\s*[0-9]{0,6}\s*$"}),
        "locale": LOCALE_IN,
    }
    if not form:
        props["items"] = nullable({"type": "array", "minItems": 1, "maxItems": MAX_LINES,
                                   "items": LINE})
        props["other_codes"] = nullable({"type": "array", "maxItems": MAX_OTHER_CODES,
                                         "items": {"type": "string",
                                                   "maxLength": MAX_CODE_LENGTH}})
    return props


def booking_body(*required: str, form: bool = False, priced: bool = True) -> Schema:
    """A booking body; ``priced``: it needs a subtotal or items (the lines' sum)."""
    found: Schema = {"type": "object", "required": list(required),
                     "additionalProperties": True, "properties": booking_properties(form=form)}
    if priced and not form:
        found["anyOf"] = [{"required": ["subtotal"], "properties": {"subtotal": MONEY_IN}},
                          {"required": ["items"]}]
    return found


_REDEMPTION_TYPES: dict[str, Schema] = {
    "id": {"type": "integer"}, "coupon_id": {"type": "integer"}, "code": {"type": "string"},
    "booking_ref": {"type": "string"}, "series_ref": nullable({"type": "string"}),
    "occurrence": {"type": "integer"}, "email": nullable({"type": "string"}),
    "booking_date": nullable(DATE), "booking_time": nullable(CLOCK),
    "booking_type": {"type": "string", "enum": list(BOOKING_TYPES)},
    "subtotal": MONEY_OUT, "discount": MONEY_OUT, "tax": MONEY_OUT, "total": MONEY_OUT,
    "status": {"type": "string", "enum": ["redeemed", "cancelled"]},
    "source": {"type": "string", "enum": ["checkout", "api", "manual"]},
    "created_at": MOMENT, "cancelled_at": nullable(MOMENT),
}


def redemption_schema() -> Schema:
    props = {name: _REDEMPTION_TYPES[name] for name in REDEMPTION_FIELDS}
    props["items"] = {"type": "array", "items": {"type": "object"}}
    return {"type": "object", "required": list(REDEMPTION_FIELDS), "properties": props}


def applied_schema() -> Schema:
    line = {"type": "object", "required": ["service", "discount", "eligible"],
            "properties": {**LINE["properties"], "discount": MONEY_OUT,
                           "unit_price": MONEY_OUT, "eligible": {"type": "boolean"}}}
    return {"type": "object",
            "required": ["valid", "code", "message", "subtotal", "discount", "tax", "total",
                         "currency"],
            "properties": {"valid": TRUE, "code": {"type": "string"}, "locale": LOCALE_OUT,
                           "message": {"type": "string"}, "subtotal": MONEY_OUT,
                           "discount": MONEY_OUT, "tax": MONEY_OUT, "total": MONEY_OUT,
                           "currency": {"type": "string", "examples": ["USD"]},
                           "recurring_scope": {"type": "string"},
                           "recurring_occurrences": nullable({"type": "integer"}),
                           "items": {"type": "array", "items": line}}}


def ledger_schema() -> Schema:
    return {"type": "object",
            "required": ["id", "booking_ref", "email", "subtotal", "booking_date", "status",
                         "created_at"],
            "properties": {"id": {"type": "integer"}, "booking_ref": {"type": "string"},
                           "email": nullable({"type": "string"}),
                           "subtotal": nullable(MONEY_OUT), "booking_date": nullable(DATE),
                           "status": {"type": "string"}, "created_at": MOMENT}}


def history_schema() -> Schema:
    """One line of a coupon's history (:func:`~advik_coupons.services.serialize.history_json`)."""
    return {"type": "object", "required": ["id", "coupon_id", "at", "actor", "who", "via",
                                           "action", "changes"],
            "properties": {
                "id": {"type": "integer"}, "coupon_id": {"type": "integer"}, "at": MOMENT,
                "actor": {"type": "string", "description": "admin:<e-mail>, api:<token name>"},
                "who": {"type": "string"},
                "via": {"type": "string", "examples": ["admin", "api", "system"]},
                "action": {"type": "string", "examples": ["created", "updated", "archived"]},
                "changes": {"type": "object", "description":
                            "Per field, [before, after]; other actions name what they did."}}}


def batch_schema() -> Schema:
    code = {"type": "object", "required": ["code", "single_use", "batch_id", "used", "used_at"],
            "properties": {"code": {"type": "string", "pattern": CODE_RE.pattern},
                           "single_use": {"type": "boolean"},
                           "batch_id": nullable({"type": "integer"}),
                           "used": {"type": "boolean"}, "used_at": nullable(MOMENT)}}
    return {"type": "object",
            "required": ["id", "coupon_id", "prefix", "count", "created_at", "codes"],
            "properties": {"id": {"type": "integer"}, "coupon_id": {"type": "integer"},
                           "prefix": {"type": "string"}, "count": {"type": "integer"},
                           "created_at": MOMENT, "codes": {"type": "array", "items": code}}}


def batch_input_schema() -> Schema:
    """A count of codes, or a list of e-mails (one code each), not both."""
    return {"type": "object", "additionalProperties": True,
            "anyOf": [{"required": ["count"], "properties": {"emails": {"type": "null"}}},
                      {"required": ["emails"], "properties": {"count": {"type": "null"}}}],
            "properties": {
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_BATCH},
        "prefix": nullable({"type": "string", "pattern": r"^[A-Za-z0-9_-]{0,20}$"}),
        "emails": nullable({"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                            "items": {"type": "string", "format": "email"}})}}


# --- stats -------------------------------------------------------------------------------

def coupon_stats_schema() -> Schema:
    return {"type": "object",
            "required": ["from", "to", "interval", "bookings", "revenue", "discounts",
                         "cancelled", "series"],
            "properties": {"from": DATE, "to": DATE,
                           "interval": {"type": "string", "enum": list(INTERVALS)},
                           "bookings": {"type": "integer"}, "revenue": MONEY_OUT,
                           "discounts": MONEY_OUT, "cancelled": {"type": "integer"},
                           "series": {"type": "array", "items": {
                               "type": "object", "required": ["period", "redemptions"],
                               "properties": {"period": {"type": "string"},
                                              "redemptions": {"type": "integer"}}}}}}


_RATE: Schema = nullable({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"})
_FIGURE_TYPES: dict[str, Schema] = {
    "coupon_id": {"type": "integer"}, "code": {"type": "string"},
    "bookings": {"type": "integer"}, "revenue": MONEY_OUT, "discounts": MONEY_OUT,
    "new_customers": {"type": "integer"}, "repeat_rate": _RATE,
    "average_with": nullable(MONEY_OUT), "average_without": nullable(MONEY_OUT),
    "rejection_rate": _RATE,
}


def overview_schema() -> Schema:
    figures = {"type": "object", "required": list(CSV_COLUMNS),
               "properties": {name: _FIGURE_TYPES[name] for name in CSV_COLUMNS}}
    return {"type": "object", "required": ["from", "to", "coupons", "totals"],
            "properties": {"from": DATE, "to": DATE,
                           "coupons": {"type": "array", "items": figures},
                           "totals": figures}}


# --- errors --------------------------------------------------------------------------------

def error_schemas() -> dict[str, Schema]:
    """Every error body the API and ``/coupons/apply`` answer with."""
    plain = {"type": "object", "required": ["error", "message"],
             "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
    return {
        "Error": plain,
        "InvalidRequest": {
            "type": "object", "required": ["errors"],
            "properties": {"valid": FALSE, "reason": {"const": "invalid_request"},
                           "errors": {"type": "object",
                                      "additionalProperties": {"type": "string"}}}},
        "Rejected": {
            "type": "object", "required": ["valid", "reason", "message"],
            "properties": {"valid": FALSE,
                           "reason": {"type": "string", "enum": list(REASONS)},
                           "message": {"type": "string"}, "locale": LOCALE_OUT}},
        "DuplicateCode": {
            "type": "object", "required": ["errors"],
            "properties": {"errors": {"type": "object",
                                      "additionalProperties": {"type": "string"}}}},
        "Contradiction": {
            "type": "object", "required": ["reason", "message"],
            "properties": {"valid": FALSE,
                           "reason": {"type": "string", "enum": [*CONFLICTS, "busy"]},
                           "message": {"type": "string"},
                           "retry_after": {"type": "integer"}}},
        "Conflict": {"anyOf": [ref("DuplicateCode"), ref("Contradiction")]},
        "RateLimited": {
            "type": "object", "required": ["valid", "reason", "message", "retry_after"],
            "properties": {"valid": FALSE, "reason": {"const": "rate_limited"},
                           "message": {"type": "string"},
                           "retry_after": {"type": "integer", "minimum": 0}}},
    }
