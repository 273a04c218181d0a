"""Log-in and log-out of the built-in admin accounts.

Passwords are checked by :func:`~advik_coupons.services.accounts.authenticate`
(werkzeug hashes; a lock of the e-mail for the client's address after too many
wrong ones in a row, so the owner still logs in from elsewhere); failed log-ins
are also limited per client address (:mod:`.throttle`): over the limit the
form answers ``429`` with ``Retry-After`` and checks no password.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..services.accounts import LoginPolicy, authenticate
from ..web.ratelimit import client_address
from ..web.redirects import safe_path
from . import throttle
from .auth import current_admin, forget, remember
from .forms import ActionForm, LoginForm, validate_or_400


def _policy() -> LoginPolicy:
    config = current_app.config
    return LoginPolicy(max_failed=int(config["ADVIK_ADMIN_MAX_FAILED_LOGINS"]),
                       lock=timedelta(minutes=float(config["ADVIK_ADMIN_LOCK_MINUTES"])))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after log-in."""
    return safe_path(target) or url_for("advik_admin.overview_page")


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
            user, error = authenticate(form.email.data or "", form.password.data or "",
                                       client_address(), _policy())
            if user is not None:
                throttle.succeeded()
                remember(user.id, user.password_hash)
                flash(f"Logged in as {user.email}.", "success")
                return redirect(_safe_next(request.args.get("next")))
            status = 401
    return render_template("admin/login.html", form=form, error=error,
                           next=request.args.get("next", "")), status, headers


def logout() -> Response | str:
    form = ActionForm()
    if request.method == "POST":
        validate_or_400(form)
        forget()
        flash("You are logged out.", "success")
        return redirect(url_for("advik_admin.login"))
    if current_admin() is None:
        return redirect(url_for("advik_admin.login"))
    return render_template("admin/logout.html", form=form)
