"""API bearer tokens (stored as SHA-256) and admin accounts (werkzeug hashes)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Unauthorized
from werkzeug.security import generate_password_hash

from .extension import get_state
from .models import AdminUser, ApiToken, utcnow

TOKEN_PREFIX = "advk_"
F = TypeVar("F", bound=Callable[..., Any])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name: str) -> str:
    """Store a new token's hash and return the token (shown once)."""
    if not name.strip() or len(name) > 120:
        raise ValueError("a token needs a name of 1 to 120 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session = get_state().session
    session.add(ApiToken(name=name.strip(), token_hash=hash_token(token)))
    session.commit()
    return token


def revoke_tokens(name: str) -> int:
    """Mark the active tokens of ``name`` revoked; how many there were."""
    state = get_state()
    session = state.session
    result = session.execute(update(ApiToken).where(
        ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    session.commit()
    state.extras.pop("api_tokens", None)  # this process forgets them at once
    return int(result.rowcount)  # type: ignore[attr-defined]


TOKEN_CACHE_SECONDS = 5.0


def check_token(token: str) -> str | None:
    """The name of a valid token, or None.

    A valid token is remembered by this process for ``TOKEN_CACHE_SECONDS``
    (so revoking one takes that long to reach every worker); wrong tokens are
    always looked up.
    """
    state = get_state()
    digest = hash_token(token)
    cache: dict[str, tuple[float, str]] = state.extras.setdefault("api_tokens", {})
    known = cache.get(digest)
    if known is not None and known[0] > time.monotonic():
        return known[1]
    session = state.session
    name = session.execute(select(ApiToken.name).where(
        ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))).scalar_one_or_none()
    session.rollback()
    if name is not None:
        if len(cache) > 1000:
            cache.clear()
        cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, name)
    return name


class TokenRequired(Unauthorized):
    def __init__(self) -> None:
        super().__init__(description="A valid API token is required.")

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json"),
                ("WWW-Authenticate", 'Bearer realm="advik-coupons"')]

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return '{"error": "unauthorized", "message": "A valid API token is required."}'


def token_required(view: F) -> F:
    """Require ``Authorization: Bearer <token>``; the token's name lands in ``g``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRequired()
        name = check_token(token.strip())
        if name is None:
            raise TokenRequired()
        g.advik_actor = f"api:{name}"
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def create_admin(email: str, password: str) -> AdminUser:
    """Create an admin, or reset the password of an existing one."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValueError("enter a valid e-mail address")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    session = get_state().session
    hashed = generate_password_hash(password)
    existing = session.execute(
        select(AdminUser).where(AdminUser.email == email)).scalar_one_or_none()
    if existing is not None:
        session.execute(update(AdminUser).where(AdminUser.id == existing.id)
                        .values(password_hash=hashed, failed_logins=0, locked_until=None))
        session.commit()
        return existing
    user = AdminUser(email=email, password_hash=hashed, failed_logins=0, created_at=utcnow())
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValueError(f"an admin {email} already exists") from None
    return user
