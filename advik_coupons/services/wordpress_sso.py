"""WordPress single sign-on: a signed token from the WordPress plugin opens the admin pages.

The plugin (``wordpress/advik-coupons``) makes the token for a WordPress user
who can ``manage_options`` when they open its "Coupons" menu: a JSON Web
Token signed with HMAC-SHA256 and ``ADVIK_WORDPRESS_SSO_SECRET``
(``docs/contracts.md`` §4.3 lists the claims). It is good once and for 60
seconds: the signature, the audience, ``iat``/``exp`` (at most
:data:`MAX_LIFETIME` apart, a few seconds of clock drift allowed) are
checked by PyJWT, and the token's ``jti`` is spent in the database
(:mod:`advik_coupons.store.sso_tokens`), so a second use fails on every worker.

The WordPress user becomes a built-in admin account named
``wordpress:<login>`` (made on first sign-in, with a random password nobody
knows, so it can only come in this way).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..state import get_state
from ..store import sso_tokens
from ..store.models import AdminUser

AUDIENCE = "advik-coupons-admin"
MAX_LIFETIME = 60  # seconds between iat and exp
LEEWAY = 5  # seconds of clock drift between the WordPress host and this one
ACCOUNT_PREFIX = "wordpress:"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_JTI = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
_REQUIRED = ["exp", "iat", "jti", "sub", "aud", "iss"]


class SsoRefused(Exception):
    """The token does not sign anybody in; ``reason`` says why (for the log and the page)."""

    def __init__(self, reason: str, origin: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        #: The WordPress origin of a token whose signature held (expired or reused),
        #: so the refusal may be shown inside the WordPress page that framed it.
        self.origin = origin


@dataclass(frozen=True)
class SsoClaims:
    """What a valid token says: who, from which WordPress admin origin, until when."""

    login: str
    origin: str
    jti: str
    expires_at: datetime


def read_token(token: str, secret: str) -> SsoClaims:
    """Check the signature, audience and times; raise :class:`SsoRefused` otherwise."""
    if not token or len(token) > 4096:
        raise SsoRefused("malformed")
    options = {"require": _REQUIRED}
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            leeway=LEEWAY, options=options)  # type: ignore[arg-type]
    except jwt.ExpiredSignatureError:
        raise SsoRefused("expired", _signed_origin(token, secret)) from None
    except jwt.ImmatureSignatureError:
        raise SsoRefused("not_yet_valid") from None
    except jwt.InvalidSignatureError:
        raise SsoRefused("bad_signature") from None
    except jwt.InvalidAudienceError:
        raise SsoRefused("wrong_audience") from None
    except jwt.InvalidTokenError:
        raise SsoRefused("malformed") from None
    origin = str(claims["iss"]).rstrip("/")
    login = claims["sub"]
    if not _ORIGIN.match(origin) or not isinstance(login, str) or not _valid_login(login):
        raise SsoRefused("malformed")
    if not isinstance(claims["jti"], str) or not _JTI.match(claims["jti"]):
        raise SsoRefused("malformed")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME:
        raise SsoRefused("lives_too_long", origin)
    return SsoClaims(login=login, origin=origin, jti=claims["jti"],
                     expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC))


def _signed_origin(token: str, secret: str) -> str | None:
    """The ``iss`` of an expired token whose signature holds (nothing else is trusted)."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"verify_exp": False})
    except jwt.InvalidTokenError:
        return None
    origin = str(claims.get("iss", "")).rstrip("/")
    return origin if _ORIGIN.match(origin) else None


def _valid_login(login: str) -> bool:
    return 0 < len(login) <= 60 and login.isprintable() and login.strip() == login


def sign_in(token: str, secret: str) -> tuple[AdminUser, SsoClaims]:
    """Spend a valid token and return the admin account of its WordPress user.

    Raises :class:`SsoRefused` (``reused`` when the token was used before, on
    any worker). Two transactions: the token is spent first, so a failure later
    never lets it be used again.
    """
    claims = read_token(token, secret)
    session = get_state().session
    now = datetime.now(UTC)
    try:
        sso_tokens.forget_expired(session, now - timedelta(seconds=LEEWAY))
        sso_tokens.spend(session, claims.jti, claims.expires_at, now)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SsoRefused("reused", claims.origin) from None
    return wordpress_admin(claims.login), claims


def wordpress_admin(login: str) -> AdminUser:
    """The admin account ``wordpress:<login>``, made on the first sign-in."""
    session = get_state().session
    email = ACCOUNT_PREFIX + login.lower()
    query = select(AdminUser).where(AdminUser.email == email)
    user = session.execute(query).scalar_one_or_none()
    if user is not None:
        return user
    user = AdminUser(email=email, password_hash=generate_password_hash(secrets.token_urlsafe(32)),
                     created_at=datetime.now(UTC))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # the same user signing in on two workers at once
        session.rollback()
        return session.execute(query).scalar_one()
    return user
