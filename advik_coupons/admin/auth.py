"""Who may use the admin pages: the ``admin_required`` decorator and the session cookie.

Two ways in, checked in this order:

1. ``ADVIK_ADMIN_AUTHORIZER`` — a host's own check, a callable ``() -> bool``
   (or ``"module:name"``), called inside the request. A true answer lets the
   request in (a string answer is shown as the admin's name).
2. The built-in accounts (``advik-coupons create-admin``), logged in at
   ``/admin/login`` (:mod:`.views_login`): the signed cookie carries the account,
   a fingerprint of its password hash and the token of a session kept on the
   server (:mod:`advik_coupons.services.admin_sessions`). Log-out, a new
   password and ``ADVIK_ADMIN_IDLE_MINUTES`` without a request end that
   session, so a copy of the cookie taken before is refused after.

Anyone else is sent to the log-in page (``GET``) or answered ``401``.
Each admin has a role (:mod:`..domain.roles`): every admin may read, a
change (any other method) needs ``manager`` — or ``owner`` where the page
says — and is answered ``403`` otherwise. A host's own admin is an owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf

from ..domain.roles import DEFAULT_ROLE, allows
from ..services.accounts import admin_fingerprint
from ..services.admin_sessions import close_session, open_session, session_admin
from ..settings import callable_setting
from ..state import get_state
from . import throttle

SESSION_KEY = "advik_admin"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Admin:
    """Who is using the admin pages."""

    name: str
    actor: str
    builtin: bool
    role: str = DEFAULT_ROLE

    def can(self, needed: str) -> bool:
        return allows(self.role, needed)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, marking the cookie ``Secure`` whenever the request is https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def setup(app: Flask) -> None:
    """Harden the session cookie (unless the host chose), resolve the authorizer and
    create the failed log-in throttle."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = HttpsAwareSessionInterface()
    get_state(app).admin_authorizer = callable_setting(
        app.config.get("ADVIK_ADMIN_AUTHORIZER"), "ADVIK_ADMIN_AUTHORIZER")
    throttle.setup(app)
    _idle_setting(app.config.get("ADVIK_ADMIN_IDLE_MINUTES"))  # a bad value stops the start


def _idle_setting(raw: object) -> timedelta:
    try:
        minutes = float(str(raw))
    except ValueError:
        minutes = float("nan")
    if not minutes > 0 or minutes == float("inf"):
        raise RuntimeError(f"ADVIK_ADMIN_IDLE_MINUTES {raw!r} is not a positive number of "
                           "minutes.")
    return timedelta(minutes=minutes)


def fingerprint(password_hash: str) -> str:
    """Changes with every new password (the hash carries a fresh salt)."""
    return password_hash[-16:]


def _idle() -> timedelta:
    return _idle_setting(current_app.config["ADVIK_ADMIN_IDLE_MINUTES"])


def remember(admin_id: int, password_hash: str) -> None:
    """Log this browser in as the admin (a fresh session: no fixation; the browser's
    previous server-side session, if any, ends)."""
    _end_server_session()
    session.clear()
    session[SESSION_KEY] = {"id": admin_id, "fp": fingerprint(password_hash),
                            "sid": open_session(admin_id, _idle())}


def forget() -> None:
    """Log this browser out: its server-side session ends, for every copy of the cookie."""
    _end_server_session()
    session.pop(SESSION_KEY, None)
    g.pop("advik_admin_user", None)


def _end_server_session() -> None:
    data = session.get(SESSION_KEY)
    if isinstance(data, dict) and isinstance(data.get("sid"), str):
        close_session(data["sid"])


def current_admin() -> Admin | None:
    """The admin behind this request, or ``None`` (cached for the request)."""
    if "advik_admin_user" in g:
        return g.advik_admin_user  # type: ignore[no-any-return]
    found = _host_admin() or _builtin_admin()
    g.advik_admin_user = found
    return found


def _host_admin() -> Admin | None:
    authorizer = get_state().admin_authorizer
    if authorizer is None:
        return None
    answer = authorizer()
    if not answer:
        return None
    name = answer if isinstance(answer, str) else "site admin"
    return Admin(name=name, actor=f"admin:{name}", builtin=False)


def _builtin_admin() -> Admin | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    sid = data.get("sid")
    if not isinstance(sid, str) or session_admin(sid, _idle()) != data["id"]:
        session.pop(SESSION_KEY, None)  # ended, idle too long, or a cookie from before
        return None
    found = admin_fingerprint(data["id"])
    if found is None or fingerprint(found[1]) != data.get("fp"):
        session.pop(SESSION_KEY, None)
        return None
    return Admin(name=found[0], actor=f"admin:{found[0]}", builtin=True, role=found[2])


READS = frozenset({"GET", "HEAD", "OPTIONS"})


def admin_required(view: F, *, writes: str = "manager") -> F:
    """Let only admins through: others go to the log-in page (``GET``) or get ``401``;
    a change (not ``GET``) needs the role ``writes`` (else ``403``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        admin = current_admin()
        if admin is None:
            if request.method in {"GET", "HEAD"}:
                return redirect(url_for("advik_admin.login", next=request.full_path))
            abort(401, description="Log in to use the admin pages.")
        if request.method not in READS and not admin.can(writes):
            abort(403, description=f"Your role ({admin.role}) may not change this; "
                                   "ask an owner of the site.")
        g.advik_actor = admin.actor
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def actor() -> str:
    """The current admin as the ``actor`` of the admin signals."""
    return str(g.get("advik_actor", "admin"))


def template_context() -> dict[str, Any]:
    """What every admin template may use about the request."""
    return {"csrf_token": generate_csrf, "current_admin": current_admin,
            "can": lambda needed: bool((found := current_admin()) and found.can(needed)),
            "has_endpoint": lambda name: name in current_app.view_functions}
