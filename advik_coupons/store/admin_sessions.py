"""The built-in admins' sessions, kept on the server so that ending one is final.

The browser's cookie carries a random token; the table holds only its SHA-256
(a stolen database gives no cookie). A session is a row: log-out deletes it,
a new password deletes every row of that admin, and a row not seen for the
idle time counts as gone (and is swept at the admin's next log-in). The
last-seen time is written at most once a minute, so browsing costs one read.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import retry
from .models import AdminSession

TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, admin_id: int, idle: timedelta, now: datetime) -> str:
    """A new session for ``admin_id`` (its idle ones swept); the token for the cookie."""
    token = secrets.token_urlsafe(32)

    def write() -> None:
        session.execute(delete(AdminSession).where(AdminSession.admin_id == admin_id,
                                                   AdminSession.last_seen_at < now - idle))
        session.add(AdminSession(id=_digest(token), admin_id=admin_id, created_at=now,
                                 last_seen_at=now))
        session.commit()

    retry.run(write, rollback=session.rollback, what="admin_session_start")
    return token


def find(session: Session, token: str, idle: timedelta, now: datetime) -> int | None:
    """The admin of a live session, or ``None`` (unknown, ended or idle too long)."""
    digest = _digest(token)
    row = session.execute(select(AdminSession.admin_id, AdminSession.last_seen_at)
                          .where(AdminSession.id == digest)).first()
    if row is None or row.last_seen_at <= now - idle:
        return None
    if row.last_seen_at <= now - TOUCH_EVERY:
        def touch() -> None:
            session.execute(update(AdminSession).where(AdminSession.id == digest)
                            .values(last_seen_at=now)
                            .execution_options(synchronize_session=False))
            session.commit()

        retry.run(touch, rollback=session.rollback, what="admin_session_touch")
    return int(row.admin_id)


def end(session: Session, token: str) -> None:
    """Log-out: this session is over, whoever holds a copy of its cookie."""
    def write() -> None:
        session.execute(delete(AdminSession).where(AdminSession.id == _digest(token)))
        session.commit()

    retry.run(write, rollback=session.rollback, what="admin_session_end")


def end_all(session: Session, admin_id: int) -> None:
    """Every session of ``admin_id`` is over (a new password); commits with the caller."""
    session.execute(delete(AdminSession).where(AdminSession.admin_id == admin_id))
