"""The domain's errors: plain exceptions that say what went wrong, in the domain's words.

They know nothing of HTTP. The web layer (:mod:`advik_coupons.web.errors`)
answers each with its status and JSON body (``CouponRejected`` → 422,
``InvalidRequest`` → 400, ``DuplicateCode`` and ``Conflict`` → 409, ``NotFound`` →
404, ``Busy`` → 409 with ``Retry-After``); a host
replaces that answer with its own ``@app.errorhandler(CouponRejected)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .messages import CONFLICTS, REASONS, rejection_message


class AdvikError(Exception):
    """Base of the domain's errors; :meth:`as_json` is the body the API answers with."""

    def as_json(self) -> dict[str, Any]:
        raise NotImplementedError


class CouponRejected(AdvikError):
    """A real request whose code does not apply: a public reason code and the customer's message.

    ``message`` is English; ``variant`` and the raw ``values`` (a date, an amount,
    weekdays…) let the web layer write it again in the customer's language.
    """

    def __init__(self, reason: str, message: str | None = None, *, variant: str | None = None,
                 values: Mapping[str, object] | None = None) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason code {reason!r}")
        self.reason = reason
        self.variant = variant
        self.values: dict[str, object] = dict(values or {})
        self.message = message if message is not None else rejection_message(reason)
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": self.reason, "message": self.message}

    def __repr__(self) -> str:
        return f"CouponRejected({self.reason!r}, {self.message!r})"


class InvalidRequest(AdvikError):
    """A malformed request, naming each bad field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": "invalid_request", "errors": self.errors}


class DuplicateCode(AdvikError):
    """A code that already exists, in any letter case."""

    def __init__(self, code: str) -> None:
        self.code_value = code
        self.message = f"The code {code} is already in use."
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"errors": {"code": self.message}}


class NotFound(AdvikError):
    """No such coupon, redemption or batch."""

    def __init__(self, what: str, ident: object) -> None:
        self.what = what
        self.message = f"No {what} with id {ident}."
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"error": "not_found", "message": self.message}


class Conflict(AdvikError):
    """A request that contradicts what is stored: a booking redeemed with other
    details, a change to an archived coupon, a cancelled redemption amended."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        if reason not in CONFLICTS:
            raise ValueError(f"unknown conflict {reason!r}")
        self.reason = reason
        self.message = message if message is not None else CONFLICTS[reason]
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "reason": self.reason, "message": self.message}


class Busy(AdvikError):
    """The database kept choosing this change as the loser of a conflict with others.

    Nothing was written; the same request may be sent again (the web layer answers
    ``409`` with ``Retry-After``). A database that cannot be reached is not this.
    """

    retry_after = 1

    def __init__(self, what: str, attempts: int) -> None:
        self.what = what
        self.attempts = attempts
        self.message = ("The coupon service is busy with the same coupon elsewhere; "
                        "nothing was saved. Try again in a moment.")
        super().__init__(f"{what}: {attempts} conflicts in a row")

    def as_json(self) -> dict[str, Any]:
        return {"valid": False, "error": "busy", "reason": "busy", "message": self.message,
                "retry_after": self.retry_after}
