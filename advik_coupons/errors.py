"""Domain errors.

Like Flask-WTF's ``CSRFError`` they subclass werkzeug's HTTP exceptions, so a
host can replace the response with ``@app.errorhandler(CouponRejected)``; by
default they answer with the JSON bodies of DESIGN §4.2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import BadRequest, Conflict, UnprocessableEntity
from werkzeug.sansio.response import Response as SansIOResponse
from werkzeug.wrappers import Response

REASONS: tuple[str, ...] = (
    "not_found",
    "inactive",
    "not_started",
    "expired",
    "usage_limit_reached",
    "below_minimum",
    "above_maximum",
    "day_not_allowed",
    "booking_type_not_allowed",
    "email_required",
    "new_customers_only",
    "existing_customers_only",
    "already_used",
)


def _json_response(status: int, body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class CouponRejected(UnprocessableEntity):
    """A real request whose code does not apply: ``422`` with a public reason code."""

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason code {reason!r}")
        super().__init__(description=message)
        self.reason = reason
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": self.reason, "message": self.message}

    def get_response(self, environ: Any = None, scope: Any = None) -> SansIOResponse:
        return _json_response(self.code or 422, self.as_json())

    def __repr__(self) -> str:
        return f"CouponRejected({self.reason!r}, {self.message!r})"


class InvalidRequest(BadRequest):
    """A malformed request: ``400`` naming each bad field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(description="; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": "invalid_request", "errors": self.errors}

    def get_response(self, environ: Any = None, scope: Any = None) -> SansIOResponse:
        return _json_response(400, self.as_json())


class DuplicateCode(Conflict):
    """A code that already exists, in any letter case: ``409``."""

    def __init__(self, code: str) -> None:
        super().__init__(description=f"The code {code} is already in use.")
        self.code_value = code

    def get_response(self, environ: Any = None, scope: Any = None) -> SansIOResponse:
        return _json_response(409, {"errors": {"code": self.description}})
