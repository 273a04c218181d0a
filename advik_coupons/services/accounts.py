"""Accounts: API bearer tokens (stored as SHA-256) and admin users (werkzeug hashes).

A token is 256 random bits, so a fast hash is enough to store it; admin
passwords get werkzeug's salted, slow hashes. Checking a token is remembered
a few seconds per process (:class:`~advik_coupons.store.token_cache.TokenCache`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.roles import DEFAULT_ROLE, ROLES, is_role
from ..state import get_state
from ..store import admin_sessions, login_counts, retry
from ..store.models import AdminUser, ApiToken, utcnow

TOKEN_PREFIX = "advk_"
WRONG_LOGIN = "Wrong e-mail or password."
LOCKED = "Too many wrong passwords: this account is locked for a while. Try later."
# Compared against when the e-mail is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("advik-coupons-no-such-admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name: str) -> str:
    """Store a new token's hash and return the token (shown once)."""
    if not name.strip() or len(name) > 120:
        raise ValueError("a token needs a name of 1 to 120 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session = get_state().session

    def write() -> None:
        session.add(ApiToken(name=name.strip(), token_hash=hash_token(token)))
        session.commit()

    retry.run(write, rollback=session.rollback, what="create_token")
    return token


def revoke_tokens(name: str) -> int:
    """Mark the active tokens of ``name`` revoked; how many there were."""
    state = get_state()
    session = state.session

    def write() -> int:
        result = session.execute(update(ApiToken).where(
            ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]

    revoked = retry.run(write, rollback=session.rollback, what="revoke_tokens")
    state.tokens.clear()  # this process forgets them at once
    return revoked


def check_token(token: str) -> str | None:
    """The name of a valid token, or None.

    A valid token is remembered by this process for a few seconds (so revoking
    one takes that long to reach every worker); wrong tokens are always looked up.
    """
    state = get_state()
    digest = hash_token(token)
    known = state.tokens.get(digest)
    if known is not None:
        return known
    name = state.session.execute(select(ApiToken.name).where(
        ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))).scalar_one_or_none()
    if name is not None:
        state.tokens.put(digest, name)
    return name


def create_admin(email: str, password: str, role: str | None = None) -> AdminUser:
    """Create an admin (an ``owner`` unless ``role`` says), or reset the password (and,
    when ``role`` is given, the role) of an existing one."""
    email = email.strip().lower()
    if role is not None and not is_role(role):
        raise ValueError(f"the role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise ValueError("enter a valid e-mail address")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    session = get_state().session
    hashed = generate_password_hash(password)

    def write() -> AdminUser:
        existing = session.execute(
            select(AdminUser).where(AdminUser.email == email)).scalar_one_or_none()
        if existing is not None:
            changes: dict[str, Any] = {"password_hash": hashed, "failed_logins": 0,
                                       "locked_until": None}
            if role is not None:
                changes["role"] = role
            session.execute(update(AdminUser).where(AdminUser.id == existing.id)
                            .values(**changes))
            admin_sessions.end_all(session, existing.id)  # a new password ends every session
            login_counts.clear_email(session, email)
            session.commit()
            return existing
        user = AdminUser(email=email, password_hash=hashed, failed_logins=0,
                         created_at=utcnow(), role=role or DEFAULT_ROLE)
        session.add(user)
        session.commit()
        return user

    try:
        return retry.run(write, rollback=session.rollback, what="create_admin")
    except IntegrityError:
        session.rollback()
        raise ValueError(f"an admin {email} already exists") from None


@dataclass(frozen=True)
class LoginPolicy:
    """``ADVIK_ADMIN_MAX_FAILED_LOGINS`` wrong passwords in a row for one e-mail from one
    address lock that e-mail, for that address only, for ``ADVIK_ADMIN_LOCK_MINUTES``."""

    max_failed: int
    lock: timedelta


def authenticate(email: str, password: str, address: str,
                 policy: LoginPolicy) -> tuple[AdminUser | None, str | None]:
    """The admin for these credentials, or ``(None, message)``.

    Failures are counted per e-mail *and* client address (``store/login_counts.py``),
    so a stranger's guesses lock only the stranger's address. Known and unknown
    e-mails take the same path: one password hash checked (a dummy one when the
    e-mail is unknown or locked), one count written, the same messages.
    """
    session = get_state().session
    email = email.strip().lower()[:254]
    now = utcnow()
    key = login_counts.key_for("lock", email, address)
    counted = login_counts.current(session, key, now)
    locked = counted is not None and counted[0] >= policy.max_failed
    user = session.execute(select(AdminUser).where(AdminUser.email == email)
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    session.rollback()
    checked = user.password_hash if user is not None and not locked else _DUMMY_HASH
    right = check_password_hash(checked, password) and checked is not _DUMMY_HASH
    if locked:
        return None, LOCKED
    if user is None or not right:
        login_counts.hit(session, key, policy.lock, now, email=email,
                         hold_at=policy.max_failed, hold=policy.lock)
        return None, WRONG_LOGIN
    login_counts.clear(session, key)
    return user, None


def admin_fingerprint(admin_id: int) -> tuple[str, str, str] | None:
    """An admin's e-mail, password hash and role, or None when the account is gone."""
    row = get_state().session.execute(
        select(AdminUser.email, AdminUser.password_hash, AdminUser.role)
        .where(AdminUser.id == admin_id)).first()
    return (row.email, row.password_hash, row.role) if row is not None else None
