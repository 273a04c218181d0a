"""Failed admin log-ins counted in SQL, in fixed windows, so every worker sees one count.

Two callers: the lock of one e-mail *from one client address* (so whoever
guesses a password from elsewhere never locks the owner out), and the
per-address log-in throttle while its Redis is down (so the limit stays one
limit across workers instead of one per process). Keys are SHA-256 of their
parts: the table never holds a client's address.

One :func:`hit` is one upsert: a window that has ended starts again at 1; counts
whose window ended an hour before are deleted by the next hit, so guessing from
many addresses leaves no lasting rows.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Table, case, delete, literal, select, update
from sqlalchemy.orm import Session

from . import retry
from .dialects import upsert_setting
from .models import AdminLoginCount, UTCDateTime

SWEEP_AFTER = timedelta(hours=1)
TABLE: Table = AdminLoginCount.__table__  # type: ignore[assignment]


def key_for(*parts: str) -> str:
    """The stored key of a counter named by ``parts`` (e.g. ``"lock", email, address``)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def hit(session: Session, key: str, window: timedelta, now: datetime, *,
        email: str | None = None, hold_at: int = 0, hold: timedelta | None = None) -> int:
    """Count one failure under ``key``; the count in the current window.

    When the count reaches ``hold_at`` the window is stretched to ``hold`` from now
    (a lock lasts its full time after the last failure that set it).
    """
    fresh_end = literal(now + window, UTCDateTime())
    ended = TABLE.c.window_ends <= literal(now, UTCDateTime())
    statement = upsert_setting(TABLE, ["key"], {  # hits first: MySQL assigns in order
        "hits": case((ended, 1), else_=TABLE.c.hits + 1),
        "window_ends": case((ended, fresh_end), else_=TABLE.c.window_ends),
    }, session.get_bind().dialect.name).values(key=key, email=email, hits=1,
                                               window_ends=now + window)

    def write() -> int:
        session.execute(statement)
        count = int(session.execute(select(AdminLoginCount.hits)
                                    .where(AdminLoginCount.key == key)).scalar_one())
        if hold is not None and count == hold_at:
            session.execute(update(AdminLoginCount).where(AdminLoginCount.key == key)
                            .values(window_ends=now + hold)
                            .execution_options(synchronize_session=False))
        session.commit()
        return count

    count = retry.run(write, rollback=session.rollback, what="admin_login_count")
    _sweep(session, now)
    return count


def _sweep(session: Session, now: datetime) -> None:
    """Drop counts whose window ended an hour ago (each failure may add a row)."""
    def write() -> None:
        session.execute(delete(AdminLoginCount).where(
            AdminLoginCount.window_ends < now - SWEEP_AFTER))
        session.commit()

    retry.run(write, rollback=session.rollback, what="admin_login_sweep")


def current(session: Session, key: str, now: datetime) -> tuple[int, datetime] | None:
    """The count under ``key`` and when its window ends, or ``None`` (none, or ended)."""
    row = session.execute(select(AdminLoginCount.hits, AdminLoginCount.window_ends)
                          .where(AdminLoginCount.key == key)).first()
    session.rollback()
    if row is None or row.window_ends <= now:
        return None
    return int(row.hits), row.window_ends


def give_back(session: Session, key: str) -> None:
    """One counted attempt did not fail after all (a log-in that succeeded)."""
    def write() -> None:
        session.execute(update(AdminLoginCount).where(AdminLoginCount.key == key,
                                                      AdminLoginCount.hits > 0)
                        .values(hits=AdminLoginCount.hits - 1)
                        .execution_options(synchronize_session=False))
        session.commit()

    retry.run(write, rollback=session.rollback, what="admin_login_give_back")


def clear(session: Session, key: str) -> None:
    """Forget the count under ``key`` (a successful log-in ends a run of failures)."""
    def write() -> None:
        session.execute(delete(AdminLoginCount).where(AdminLoginCount.key == key))
        session.commit()

    retry.run(write, rollback=session.rollback, what="admin_login_clear")


def clear_email(session: Session, email: str) -> None:
    """Unlock ``email`` from every address (a new password); commits with the caller."""
    session.execute(delete(AdminLoginCount).where(AdminLoginCount.email == email))
