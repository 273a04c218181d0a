"""The id of the request being served, for logs, outbox notices and webhook headers.

A leaf module (it imports nothing of the package): the web layer sets the id
when a request starts (from ``X-Request-ID`` when it is a sane token, else a
new one), the outbox copies it into the notices it stages, the hook pool
carries it to the receivers it runs, and the JSON log formatter writes it on
every line. A :class:`contextvars.ContextVar`, so each thread (and each
request) sees its own.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
#: What a caller's id may look like: short, no spaces or control characters (it goes
#: into log lines and HTTP headers as it is).
_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

_current: ContextVar[str | None] = ContextVar("advik_request_id", default=None)


def current() -> str | None:
    """The current request's id, or None outside a request (a worker's own work)."""
    return _current.get()


def accept(raw: str | None) -> str:
    """The caller's id when it is a sane token, else a new one."""
    if raw and _SANE.fullmatch(raw):
        return raw
    return secrets.token_hex(16)


def bind(request_id: str | None) -> Token[str | None]:
    """Make ``request_id`` the current one; :func:`reset` with the token undoes it."""
    return _current.set(request_id)


def reset(token: Token[str | None]) -> None:
    _current.reset(token)
