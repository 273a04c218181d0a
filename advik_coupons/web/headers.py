"""Security headers on every answer of the plugin (DESIGN §13), from one after-request hook.

Every page gets ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
strict-origin-when-cross-origin`` and a ``Content-Security-Policy`` that
allows scripts, styles, images and requests from the page's own origin only
(no ``unsafe-inline``: the templates carry no inline script or style; data
for the charts travels in ``<script type="application/json">`` blocks, which
are never run). Who may frame a page is the policy's ``frame-ancestors``:
``'self'`` here by default, while the admin pages have theirs set first by
``admin/framing.py`` (``'none'``, or the WordPress origin of a single
sign-on), which this hook keeps. ``X-Frame-Options`` (for old browsers)
follows ``frame-ancestors`` when it can say the same; a list of origins it
cannot, so it is left out then. Private pages (the admin's) also get
``Cache-Control: no-store``.

A directive or header the view already set is kept, so a page may loosen or
tighten its own policy. No ``Cross-Origin-Resource-Policy`` is sent: the
widget's script and stylesheet are loaded by host sites on other origins.

The hook covers the plugin's blueprints (``advik_*``); :func:`register` with
``every_page`` (the standalone app) covers the app's own routes too.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request
from werkzeug.wrappers import Response

CSP = "Content-Security-Policy"
POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'self'"),
)
HEADERS = {"X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "strict-origin-when-cross-origin"}
FRAME_OPTIONS = {"'none'": "DENY", "'self'": "SAMEORIGIN"}
PLUGIN_PREFIX = "advik_"
PRIVATE_BLUEPRINTS = frozenset({"advik_admin"})


def policy(existing: str = "") -> str:
    """``existing``'s directives, then every directive of :data:`POLICY` it lacks."""
    kept = [part.strip() for part in existing.split(";") if part.strip()]
    names = {part.split()[0].lower() for part in kept}
    return "; ".join([*kept, *(f"{name} {value}" for name, value in POLICY
                               if name not in names)])


def frame_ancestors(csp: str) -> str:
    """The ``frame-ancestors`` value of a policy ("" when it has none)."""
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        if name.lower() == "frame-ancestors":
            return value.strip()
    return ""


def secure(response: Response, *, private: bool) -> Response:
    """Add the headers to ``response`` (idempotent; what is already there stays)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers[CSP] = policy(response.headers.get(CSP, ""))
    framing = FRAME_OPTIONS.get(frame_ancestors(response.headers[CSP]))
    if framing:
        response.headers.setdefault("X-Frame-Options", framing)
    else:
        response.headers.pop("X-Frame-Options", None)
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _is_static() -> bool:
    return (request.endpoint or "").rsplit(".", 1)[-1] == "static"


def _hook(every_page: bool) -> Callable[[Response], Response]:
    def add_headers(response: Response) -> Response:
        blueprint = request.blueprint or ""
        if not every_page and not blueprint.startswith(PLUGIN_PREFIX):
            return response
        return secure(response, private=blueprint in PRIVATE_BLUEPRINTS and not _is_static())

    return add_headers


def register(app: Flask, *, every_page: bool = False) -> None:
    """Send the headers on the plugin's pages (``every_page``: on all of ``app``'s)."""
    app.after_request(_hook(every_page))
