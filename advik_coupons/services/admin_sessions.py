"""Opening, checking and ending a built-in admin's server-side session.

The admin pages keep only a random token in the signed cookie; whether it
still opens the admin is asked here on every request, so log-out, a new
password and ``ADVIK_ADMIN_IDLE_MINUTES`` without a request end a session for
every copy of the cookie (``store/admin_sessions.py`` keeps the rows).
"""

from __future__ import annotations

from datetime import timedelta

from ..state import get_state
from ..store import admin_sessions
from ..store.models import utcnow


def open_session(admin_id: int, idle: timedelta) -> str:
    """A new session of ``admin_id``; the token to keep in the browser's cookie."""
    return admin_sessions.start(get_state().session, admin_id, idle, utcnow())


def session_admin(token: str, idle: timedelta) -> int | None:
    """The admin whose live session ``token`` is, or ``None``."""
    return admin_sessions.find(get_state().session, token, idle, utcnow())


def close_session(token: str) -> None:
    """End the session of ``token`` (log-out)."""
    admin_sessions.end(get_state().session, token)
