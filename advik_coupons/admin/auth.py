"""Admin log-in: built-in accounts, the ``admin_required`` decorator, cookie hardening.

Two ways in, checked in this order:

1. ``ADVIK_ADMIN_AUTHORIZER`` — a host's own check, a callable ``() -> bool``
   (or ``"module:name"``), called inside the request. A true answer lets the
   request in (a string answer is shown as the admin's name).
2. The built-in accounts (``advik-coupons create-admin``): werkzeug password
   hashes, a lock after ``ADVIK_ADMIN_MAX_FAILED_LOGINS`` wrong passwords in a
   row for ``ADVIK_ADMIN_LOCK_MINUTES``, and a session that ends when the
   password changes. Failed log-ins are also limited per client address
   (``ADVIK_ADMIN_LOGIN_RATE_LIMIT``, see :mod:`.throttle`).

Anyone else is sent to the log-in page (``GET``) or answered ``401``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from ..extension import get_state, resolve_callable
from ..models import AdminUser, utcnow
from . import throttle
from .blueprint import bp
from .forms import ActionForm, LoginForm, validate_or_400

SESSION_KEY = "advik_admin"
AUTHORIZER_KEY = "admin_authorizer"
F = TypeVar("F", bound=Callable[..., Any])
# Compared against when the e-mail is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("advik-coupons-no-such-admin")


@dataclass(frozen=True)
class Admin:
    """Who is using the admin pages."""

    name: str
    actor: str
    builtin: bool


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
    get_state(app).extras[AUTHORIZER_KEY] = resolve_callable(
        app.config.get("ADVIK_ADMIN_AUTHORIZER"), "ADVIK_ADMIN_AUTHORIZER")
    throttle.setup(app)


def _fingerprint(password_hash: str) -> str:
    """Changes with every new password (the hash carries a fresh salt)."""
    return password_hash[-16:]


def current_admin() -> Admin | None:
    """The admin behind this request, or ``None`` (cached for the request)."""
    if "advik_admin_user" in g:
        return g.advik_admin_user  # type: ignore[no-any-return]
    found = _host_admin() or _builtin_admin()
    g.advik_admin_user = found
    return found


def _host_admin() -> Admin | None:
    authorizer = get_state().extras.get(AUTHORIZER_KEY)
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
    db = get_state().session
    row = db.execute(select(AdminUser.email, AdminUser.password_hash)
                     .where(AdminUser.id == data["id"])).first()
    db.rollback()
    if row is None or _fingerprint(row.password_hash) != data.get("fp"):
        session.pop(SESSION_KEY, None)
        return None
    return Admin(name=row.email, actor=f"admin:{row.email}", builtin=True)


def admin_required(view: F) -> F:
    """Let only admins through: others go to the log-in page (``GET``) or get ``401``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        admin = current_admin()
        if admin is None:
            if request.method in {"GET", "HEAD"}:
                return redirect(url_for("advik_admin.login", next=request.full_path))
            abort(401, description="Log in to use the admin pages.")
        g.advik_actor = admin.actor
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def actor() -> str:
    """The current admin as the ``actor`` of the admin signals."""
    return str(g.get("advik_actor", "admin"))


@bp.context_processor
def _admin_context() -> dict[str, Any]:
    return {"csrf_token": generate_csrf, "current_admin": current_admin,
            "has_endpoint": lambda name: name in current_app.view_functions}


def check_login(email: str, password: str) -> tuple[AdminUser | None, str | None]:
    """The admin for these credentials, or ``(None, message)``; counts failures."""
    config = current_app.config
    max_failed = int(config["ADVIK_ADMIN_MAX_FAILED_LOGINS"])
    lock = timedelta(minutes=float(config["ADVIK_ADMIN_LOCK_MINUTES"]))
    db = get_state().session
    email = email.strip().lower()
    user = db.execute(select(AdminUser).where(AdminUser.email == email)
                      .execution_options(populate_existing=True)).scalar_one_or_none()
    wrong = "Wrong e-mail or password."
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        db.rollback()
        return None, wrong
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        db.rollback()
        return None, "Too many wrong passwords: this account is locked for a while. Try later."
    if not check_password_hash(user.password_hash, password):
        failed = user.failed_logins + 1
        values: dict[str, Any] = {"failed_logins": AdminUser.failed_logins + 1}
        if failed >= max_failed:
            values = {"failed_logins": 0, "locked_until": now + lock}
        db.execute(update(AdminUser).where(AdminUser.id == user.id).values(**values)
                   .execution_options(synchronize_session=False))
        db.commit()
        return None, wrong
    db.execute(update(AdminUser).where(AdminUser.id == user.id)
               .values(failed_logins=0, locked_until=None)
               .execution_options(synchronize_session=False))
    db.commit()
    return user, None


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after log-in."""
    default = url_for("advik_admin.coupon_list")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST" and validate_or_400(form):
        wait = throttle.attempt()  # too many failures from this address: no password check
        if wait:
            error, status, headers = throttle.message(wait), 429, {"Retry-After": str(wait)}
        else:
            user, error = check_login(form.email.data or "", form.password.data or "")
            if user is not None:
                throttle.succeeded()
                session.clear()  # a fresh session: no fixation
                session[SESSION_KEY] = {"id": user.id, "fp": _fingerprint(user.password_hash)}
                get_state().session.rollback()
                flash(f"Logged in as {user.email}.", "success")
                return redirect(_safe_next(request.args.get("next")))
            status = 401
    return render_template("admin/login.html", form=form, error=error,
                           next=request.args.get("next", "")), status, headers


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    form = ActionForm()
    if request.method == "POST":
        validate_or_400(form)
        session.pop(SESSION_KEY, None)
        g.pop("advik_admin_user", None)
        flash("You are logged out.", "success")
        return redirect(url_for("advik_admin.login"))
    if current_admin() is None:
        return redirect(url_for("advik_admin.login"))
    return render_template("admin/logout.html", form=form)
