"""``GET <api prefix>/openapi.json``: the OpenAPI 3.1 document of the JSON API and of
``POST /coupons/apply``, for integrators to read and to generate clients from.

It is put together per request from :data:`~advik_coupons.api.openapi_paths.OPERATIONS`
and :mod:`~advik_coupons.api.openapi_schemas`, with the paths where this app
mounted its faces (``ADVIK_URL_PREFIX``, ``ADVIK_API_PREFIX``) and the server
being the app's own root, so a host that mounts the engine elsewhere gets a
document of its own paths. No token is needed to read it.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .openapi_paths import APPLY, DOCUMENT, OPERATIONS
from .openapi_schemas import (
    Schema,
    applied_schema,
    batch_input_schema,
    batch_schema,
    booking_body,
    coupon_input_schema,
    coupon_schema,
    coupon_stats_schema,
    error_schemas,
    history_schema,
    ledger_schema,
    overview_schema,
    redemption_schema,
    ref,
)

OPENAPI_VERSION = "3.1.0"
__all__ = ["DOCUMENT", "build_document", "document", "openapi_path"]
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A Flask rule (``/coupons/<int:coupon_id>``) as an OpenAPI path (``/coupons/{coupon_id}``)."""
    return _CONVERTER.sub(r"{\1}", rule)


def _page(item: str) -> Schema:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": ref(item)},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"},
                           "total": {"type": "integer"}}}


def schemas() -> dict[str, Schema]:
    """Every named schema of the document."""
    return {
        "Coupon": coupon_schema(),
        "CouponCreate": coupon_input_schema(create=True),
        "CouponChange": coupon_input_schema(create=False),
        "CouponPage": _page("Coupon"),
        "Batch": batch_schema(),
        "BatchCreate": batch_input_schema(),
        "Quote": booking_body("code"),
        "QuoteForm": booking_body("code", "subtotal", form=True),
        "Applied": applied_schema(),
        "Redeem": booking_body("code", "booking_ref"),
        "Amend": booking_body(priced=False),
        "Redemption": redemption_schema(),
        "RedemptionPage": _page("Redemption"),
        "LedgerBody": booking_body("booking_ref"),
        "LedgerBooking": ledger_schema(),
        "CouponStats": coupon_stats_schema(),
        "HistoryLine": history_schema(),
        "HistoryPage": _page("HistoryLine"),
        "Overview": overview_schema(),
        **error_schemas(),
    }


def mounted_paths(app: Flask) -> tuple[str, str]:
    """Where this app mounted the API and the payment step (``/api/v1``, ``""``)."""
    prefix = str(app.config["ADVIK_URL_PREFIX"]).rstrip("/")
    return prefix + str(app.config["ADVIK_API_PREFIX"]), prefix


def _package_version() -> str:
    try:
        return version("advik-coupons")
    except PackageNotFoundError:
        return "0"


def build_document(app: Flask, server: str = "/") -> dict[str, Any]:
    """The OpenAPI document of ``app``'s JSON API and payment step."""
    api_prefix, prefix = mounted_paths(app)
    paths: dict[str, dict[str, Any]] = {}
    for (method, rule), operation in OPERATIONS.items():
        full = (prefix if rule == APPLY else api_prefix) + rule
        paths.setdefault(openapi_path(full), {})[method.lower()] = operation
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Advik Coupons", "version": _package_version(),
                 "description": "Coupons for a booking site: the JSON API (a bearer token, "
                                "made with `advik-coupons create-token`) and the payment "
                                "step's `POST /coupons/apply`. Money is a string with two "
                                "decimals; errors are JSON."},
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in ("coupons", "bookings", "stats", "checkout",
                                             "meta")],
        "paths": paths,
        "components": {"schemas": schemas(),
                       "securitySchemes": {"bearerAuth": {"type": "http",
                                                          "scheme": "bearer"}}},
    }


def document() -> ResponseReturnValue:
    """The view: the document with this request's root as its server."""
    response = jsonify(build_document(current_app, request.script_root or "/"))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
