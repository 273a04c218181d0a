"""Each operation of the OpenAPI document: its parameters, request body and answers.

:data:`OPERATIONS` is keyed by the ``(method, rule)`` of
:data:`advik_coupons.api.ROUTES` (and the apply endpoint's), so a route added
there without an entry here fails the document's build and its test. The bodies'
schemas are :mod:`advik_coupons.api.openapi_schemas`'; the examples are the
README's requests (a test checks that each one is there).
"""

from __future__ import annotations

from typing import Any

from ..store.overview import SORTS
from ..store.tracking import INTERVALS
from .args import FLAG_WORDS, FORMATS, MAX_ID, MAX_PER_PAGE
from .openapi_schemas import DATE, Schema, ref
from .overview import ORDERS

#: The rule the document uses for ``POST /coupons/apply`` (the checkout face's).
APPLY = "/coupons/apply"
#: The document's own rule under the API prefix.
DOCUMENT = "/openapi.json"

EXAMPLES: dict[str, dict[str, Any]] = {
    "create": {"name": "Spring campaign", "code": "spring10", "discount_type": "percent",
               "discount_value": "10", "min_subtotal": "100", "ends_at": "2027-03-31",
               "max_uses": 500},
    "quote": {"code": "spring10", "subtotal": "120.00", "email": "ann@example.com",
              "booking_date": "2026-12-07"},
    "redeem": {"code": "spring10", "subtotal": "120.00", "email": "ann@example.com",
               "booking_ref": "BK-1001"},
    "booking": {"booking_ref": "BK-1002", "email": "bo@example.com", "subtotal": "80.00"},
}


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}


PAGES = [_query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "From 1."),
         _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                f"1 to {MAX_PER_PAGE}; default 50.")]
#: A query date: empty is the same as left out.
DAY: Schema = {"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
               "examples": DATE["examples"]}
RANGE = [_query("from", DAY, "First day (site's time zone); default 29 days before 'to'."),
         _query("to", DAY, "Last day, inclusive; default today."),
         _query("interval", {"type": "string", "enum": list(INTERVALS)}, "Default day.")]
CSV = _query("format", {"type": "string", "enum": list(FORMATS)}, "csv: download as CSV.")
COUPON_ID = _path("coupon_id")
REDEMPTION_ID = _path("redemption_id")


def _json(schema: Schema, *, csv: bool = False) -> Schema:
    content: Schema = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return content


def answer(description: str, schema: Schema, *, csv: bool = False,
           headers: Schema | None = None) -> Schema:
    found: Schema = {"description": description, "content": _json(schema, csv=csv)}
    if headers:
        found["headers"] = headers
    return found


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "required": True,
                               "schema": {"type": "integer", "minimum": 0}}}
ERRORS: dict[str, Schema] = {
    "400": answer("Malformed request: each bad field named.", ref("InvalidRequest")),
    "401": {"description": "Missing or wrong bearer token.",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": _json(ref("Error"))},
    "404": answer("No such resource.", ref("Error")),
    "409": answer("A duplicate code, a booking redeemed with other facts, an archived "
                  "coupon, a cancelled redemption, or busy (with Retry-After).", ref("Conflict")),
    "413": answer("The request body is too large.", ref("Error")),
    "422": answer("The code does not apply: a reason code and the customer's message.",
                  ref("Rejected")),
    "429": answer("Too many attempts from this client.", ref("RateLimited"),
                  headers=RETRY_AFTER),
    "503": answer("The database cannot be reached.", ref("Error"), headers=RETRY_AFTER),
}


def _errors(*codes: str) -> dict[str, Schema]:
    return {code: ERRORS[code] for code in ("401", "503", *codes)}


def body(schema: Schema, example: str | None = None, *, form: Schema | None = None,
         required: bool = True) -> Schema:
    media: Schema = {"schema": schema}
    if example:
        media["example"] = EXAMPLES[example]
    content: Schema = {"application/json": media}
    if form is not None:
        content["application/x-www-form-urlencoded"] = {"schema": form}
    return {"required": required, "content": content}


def op(op_id: str, summary: str, tag: str, responses: dict[str, Schema], *,
       params: list[Schema] | None = None, request: Schema | None = None) -> Schema:
    found: Schema = {"operationId": op_id, "summary": summary, "tags": [tag],
                     "responses": responses}
    if params:
        found["parameters"] = params
    if request:
        found["requestBody"] = request
    return found


COUPON = answer("The coupon.", ref("Coupon"))
REDEMPTION = answer("The redemption.", ref("Redemption"))
BOOKING_409 = ("400", "404", "409", "413", "422")

OPERATIONS: dict[tuple[str, str], Schema] = {
    ("GET", "/coupons"): op(
        "listCoupons", "List coupons (newest first).", "coupons",
        {"200": answer("A page of coupons.", ref("CouponPage")), **_errors("400")},
        params=[_query("active", {"type": "string", "enum": ["true", "false", "1", "0"]},
                       "Only active (or inactive) ones."),
                _query("q", {"type": "string", "maxLength": 120},
                       "Part of the name or the code."),
                _query("archived", {"type": "string", "enum": list(FLAG_WORDS)},
                       "1 or true: archived coupons too."), *PAGES]),
    ("POST", "/coupons"): op(
        "createCoupon", "Create a coupon.", "coupons",
        {"201": answer("The new coupon.", ref("Coupon")), **_errors("400", "409", "413")},
        request=body(ref("CouponCreate"), "create")),
    ("GET", "/coupons/<int:coupon_id>"): op(
        "readCoupon", "Read a coupon.", "coupons", {"200": COUPON, **_errors("404")},
        params=[COUPON_ID]),
    ("PATCH", "/coupons/<int:coupon_id>"): op(
        "updateCoupon", "Change a coupon (send only what changes).", "coupons",
        {"200": COUPON, **_errors("400", "404", "409", "413")}, params=[COUPON_ID],
        request=body(ref("CouponChange"), required=False)),
    ("DELETE", "/coupons/<int:coupon_id>"): op(
        "deleteCoupon", "Delete a coupon, or archive it when it has redemptions.", "coupons",
        {"200": answer("Archived: the coupon, kept for its history.", ref("Coupon")),
         "204": {"description": "Deleted."}, **_errors("404")}, params=[COUPON_ID]),
    ("POST", "/coupons/<int:coupon_id>/activate"): op(
        "activateCoupon", "Turn a coupon on.", "coupons",
        {"200": COUPON, **_errors("404", "409")}, params=[COUPON_ID]),
    ("POST", "/coupons/<int:coupon_id>/deactivate"): op(
        "deactivateCoupon", "Turn a coupon off.", "coupons",
        {"200": COUPON, **_errors("404", "409")}, params=[COUPON_ID]),
    ("POST", "/coupons/<int:coupon_id>/batches"): op(
        "createBatch", "Add single-use codes: a count of them, or one per e-mail.", "coupons",
        {"201": answer("The batch and its codes.", ref("Batch")),
         "200": {"description": "With format=csv: the codes as CSV (code, email).",
                 "content": {"text/csv": {"schema": {"type": "string"}}}},
         **_errors("400", "404", "409", "413")},
        params=[COUPON_ID, CSV], request=body(ref("BatchCreate"))),
    ("GET", "/coupons/<int:coupon_id>/redemptions"): op(
        "listCouponRedemptions", "The bookings that used a coupon (newest first).",
        "redemptions",
        {"200": answer("A page of redemptions.", ref("RedemptionPage"), csv=True),
         **_errors("400", "404")}, params=[COUPON_ID, *PAGES, CSV]),
    ("GET", "/coupons/<int:coupon_id>/history"): op(
        "couponHistory", "Who changed a coupon, when, and what (newest first).", "coupons",
        {"200": answer("A page of history lines.", ref("HistoryPage")),
         **_errors("400", "404")}, params=[COUPON_ID, *PAGES]),
    ("GET", "/coupons/<int:coupon_id>/stats"): op(
        "couponStats", "A coupon's bookings, revenue and discounts over a range.", "stats",
        {"200": answer("The figures.", ref("CouponStats")), **_errors("400", "404")},
        params=[COUPON_ID, *RANGE]),
    ("GET", "/stats"): op(
        "statsAcross", "Every coupon's figures for a range, and the totals.", "stats",
        {"200": answer("The overview.", ref("Overview"), csv=True), **_errors("400")},
        params=[*RANGE, _query("sort", {"type": "string", "enum": list(SORTS)},
                               "Default bookings."),
                _query("order", {"type": "string", "enum": list(ORDERS)}, "Default desc."),
                CSV]),
    ("POST", "/quote"): op(
        "quote", "Price a booking with a code; nothing is consumed.", "bookings",
        {"200": answer("The code applies.", ref("Applied")), **_errors("400", "413", "422")},
        request=body(ref("Quote"), "quote")),
    ("POST", "/redemptions"): op(
        "redeem", "Redeem a code for a confirmed booking (idempotent by booking_ref).",
        "bookings",
        {"201": answer("The new redemption.", ref("Redemption")),
         "200": answer("This booking_ref was redeemed already: the same redemption.",
                       ref("Redemption")), **_errors(*BOOKING_409)},
        request=body(ref("Redeem"), "redeem")),
    ("PATCH", "/redemptions/<int:redemption_id>"): op(
        "amendRedemption", "A rescheduled or repriced booking, checked again.", "bookings",
        {"200": REDEMPTION, **_errors(*BOOKING_409)}, params=[REDEMPTION_ID],
        request=body(ref("Amend"), required=False)),
    ("POST", "/redemptions/<int:redemption_id>/cancel"): op(
        "cancelRedemption", "Release a redemption (booking cancelled or refunded).",
        "bookings", {"200": REDEMPTION, **_errors("404", "409")}, params=[REDEMPTION_ID]),
    ("POST", "/bookings"): op(
        "reportBooking", "Report a booking without a coupon to the ledger.", "bookings",
        {"201": answer("Recorded.", ref("LedgerBooking")),
         "200": answer("This booking_ref was reported already.", ref("LedgerBooking")),
         **_errors("400", "409", "413")},
        request=body(ref("LedgerBody"), "booking")),
    ("GET", DOCUMENT): {
        "operationId": "openapiDocument", "summary": "This document.", "tags": ["meta"],
        "security": [],
        "responses": {"200": answer("The OpenAPI document.", {"type": "object"})}},
    ("POST", APPLY): {
        "operationId": "applyCoupon", "tags": ["checkout"], "security": [],
        "summary": "The payment step: apply a code to the customer's booking (no token; "
                   "limited per client).",
        "requestBody": body(ref("Quote"), "quote", form=ref("QuoteForm")),
        "responses": {"200": answer("The code applies.", ref("Applied")),
                      **{c: ERRORS[c] for c in ("400", "413", "422", "429", "503")}}},
}
