"""Domain errors.

Like Flask-WTF's ``CSRFError`` they subclass werkzeug's HTTP exceptions, so a
host can replace the response with ``@app.errorhandler(CouponRejected)``; by
default they answer with the JSON bodies of DESIGN §4.2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import BadRequest, Conflict, TooManyRequests, UnprocessableEntity

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


class JSONError:
    """Mixin for HTTP exceptions whose body is JSON (``as_json``)."""

    def as_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return json.dumps(self.as_json())

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json")]


class CouponRejected(JSONError, UnprocessableEntity):
    """A real request whose code does not apply: ``422`` with a public reason code."""

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason code {reason!r}")
        super().__init__(description=message)
        self.reason = reason
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": self.reason, "message": self.message}

    def __repr__(self) -> str:
        return f"CouponRejected({self.reason!r}, {self.message!r})"


class InvalidRequest(JSONError, BadRequest):
    """A malformed request: ``400`` naming each bad field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(description="; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": "invalid_request", "errors": self.errors}


class RateLimited(JSONError, TooManyRequests):
    """Too many tries of ``POST /coupons/apply``: ``429`` with ``Retry-After`` (seconds)."""

    message = "Too many attempts. Please wait a moment and try again."

    def __init__(self, retry_after: int) -> None:
        super().__init__(description=self.message)
        self.retry_after = retry_after

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": "rate_limited", "message": self.message,
                "retry_after": self.retry_after}

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Retry-After", str(self.retry_after))]


class DuplicateCode(JSONError, Conflict):
    """A code that already exists, in any letter case: ``409``."""

    def __init__(self, code: str) -> None:
        super().__init__(description=f"The code {code} is already in use.")
        self.code_value = code

    def as_json(self) -> dict[str, Any]:
        return {"errors": {"code": self.description}}
