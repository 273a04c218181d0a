"""The domain's errors as HTTP answers, and the web layer's own HTTP errors.

:func:`register` installs one handler for :class:`~advik_coupons.domain.errors.AdvikError`
on the app: ``CouponRejected`` → ``422``, ``InvalidRequest`` → ``400``,
``DuplicateCode`` and ``Conflict`` → ``409``, ``NotFound`` → ``404``, ``Busy`` (a change
that lost every retry of a database conflict) → ``409`` with ``Retry-After``, each with its
JSON body
(an admin or demo page's ``404`` is the usual HTML page). It is registered
for the base class, so a host's handler for one class
(``@app.errorhandler(CouponRejected)``) wins by Flask's own rules.

:class:`RateLimited` is raised by the web layer itself (``429`` with
``Retry-After``), and :class:`CrossOrigin` (``403``) for another site's form
post; like Flask-WTF's ``CSRFError`` each is an HTTP exception, so a host can
replace it with ``app.errorhandler(RateLimited)``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import Forbidden, HTTPException, TooManyRequests
from werkzeug.exceptions import NotFound as HTTPNotFound

from ..domain.errors import (
    AdvikError,
    Busy,
    Conflict,
    CouponRejected,
    DuplicateCode,
    InvalidRequest,
    NotFound,
)
from ..domain.messages import RATE_LIMITED
from .i18n import localized, rejection_message, translate

STATUS: dict[type[AdvikError], int] = {
    CouponRejected: 422, InvalidRequest: 400, DuplicateCode: 409, Conflict: 409, NotFound: 404,
    Busy: 409,
}
#: Blueprints whose pages are HTML: their 404 is the usual page, not JSON.
HTML_BLUEPRINTS = frozenset({"advik_admin", "advik_demo"})


def status_of(error: AdvikError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def answer(error: AdvikError) -> ResponseReturnValue:
    """The HTTP answer to a domain error raised by a view."""
    if isinstance(error, NotFound) and request.blueprint in HTML_BLUEPRINTS:
        return HTTPNotFound(description=error.message)
    if isinstance(error, Busy):
        return jsonify(error.as_json()), 409, {"Retry-After": str(error.retry_after)}
    if isinstance(error, CouponRejected):  # the customer's words, in their language
        body = {**error.as_json(), "message": rejection_message(error)}
        return jsonify(localized(body)), 422
    return jsonify(error.as_json()), status_of(error)


def json_http_error(error: HTTPException) -> ResponseReturnValue:
    """A werkzeug HTTP error as ``{"error", "message"}`` (the API's other errors), with the
    error's own headers (a ``405``'s ``Allow``)."""
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return jsonify({"error": (error.name or "error").lower().replace(" ", "_"),
                    "message": error.description}), error.code or 500, headers


class RateLimited(TooManyRequests):
    """Too many tries of ``POST /coupons/apply``: ``429`` with ``Retry-After`` (seconds)."""

    message = RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__(description=self.message)
        self.retry_after = retry_after

    def as_json(self) -> dict[str, Any]:
        return localized({"valid": False, "reason": "rate_limited",
                          "message": translate(self.message), "retry_after": self.retry_after})

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return json.dumps(self.as_json())

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json"), ("Retry-After", str(self.retry_after))]


class CrossOrigin(Forbidden):
    """A browser post from an origin that may not use the endpoint: ``403`` JSON."""

    message = "This site does not accept coupon codes from another site's page."

    def __init__(self) -> None:
        super().__init__(description=self.message)

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return json.dumps({"valid": False, "error": "forbidden", "reason": "cross_origin",
                           "message": self.message})

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json")]


def register(app: Flask) -> None:
    """Answer the domain's errors raised by any view of ``app``."""
    app.register_error_handler(AdvikError, answer)
