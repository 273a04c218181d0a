"""``GET <admin prefix>/sso?token=…``: WordPress single sign-on into the admin pages.

On when ``ADVIK_WORDPRESS_SSO_SECRET`` is set (``404`` otherwise). A valid,
unused token (:mod:`advik_coupons.services.wordpress_sso`) logs the browser
in through :func:`.auth.remember` as the admin ``wordpress:<login>``, lets
the token's WordPress origin frame this session's admin pages
(:mod:`.framing`), and redirects to the coupon list. Any other token answers
``403`` with a page saying to open "Coupons" in WordPress again. The answer
is never cached and sends no referrer (the token is in the address).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, abort, current_app, redirect, render_template, request, url_for

from ..services.wordpress_sso import SsoRefused, sign_in
from ..settings import wordpress_sso_secret
from . import framing
from .auth import remember

log = logging.getLogger("advik_coupons.admin.sso")

REFUSALS = {
    "expired": "This sign-in link has expired (it lasts 60 seconds).",
    "reused": "This sign-in link has already been used (each one works once).",
}
DEFAULT_REFUSAL = "This sign-in link is not valid."


def setup(app: Flask) -> None:
    """Check the secret at start-up: a short one stops the app."""
    wordpress_sso_secret(app.config)


def sso() -> Any:
    secret = wordpress_sso_secret(current_app.config)
    if secret is None:
        abort(404)
    try:
        user, claims = sign_in(request.args.get("token", ""), secret)
    except SsoRefused as refused:
        log.warning("WordPress sign-in refused: %s", refused.reason)
        if refused.origin:
            framing.allow_this_answer(refused.origin)
        message = REFUSALS.get(refused.reason, DEFAULT_REFUSAL)
        return _private(render_template("admin/sso_refused.html", message=message), 403)
    remember(user.id, user.password_hash)
    framing.allow_framing_by(claims.origin)
    return _private(redirect(url_for("advik_admin.coupon_list")), 302)


def _private(body: Any, status: int) -> tuple[Any, int, dict[str, str]]:
    return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
