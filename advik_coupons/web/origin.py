"""Who may post to ``POST /coupons/apply`` from a browser: the site itself and
``ADVIK_CORS_ORIGINS``.

A JSON body from another site needs a CORS preflight, which only the listed
origins pass; a plain form post does not, so a page anywhere could make its
visitors' browsers try codes (and spend their rate limit). A browser names the
page's origin in ``Origin``: when it is neither this site (the request's own
host) nor listed, the post is refused with ``403`` before anything is counted
or read. A request without ``Origin`` (a server, a ``curl``) is not a browser's
cross-site post and goes on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request

from .errors import CrossOrigin


def allowed_origins(app: Flask) -> frozenset[str]:
    """``ADVIK_CORS_ORIGINS`` as a set of origins (``*`` allows every origin)."""
    raw = app.config.get("ADVIK_CORS_ORIGINS") or ""
    items = raw if isinstance(raw, list | tuple | set | frozenset) else str(raw).split(",")
    return frozenset(str(o).strip().rstrip("/") for o in items if str(o).strip())


def origin_allowed(origin: str) -> bool:
    """Whether a browser page on ``origin`` may post to the apply endpoint."""
    origin = origin.strip().rstrip("/")
    allowed = allowed_origins(current_app)
    if origin in allowed or "*" in allowed:
        return True
    try:
        host = urlsplit(origin).netloc
    except ValueError:
        return False
    # The scheme is left out: behind a TLS proxy the app itself may see plain http.
    return bool(host) and host.lower() == request.host.lower()


def check_origin() -> None:
    """``before_request``: refuse a POST whose ``Origin`` is another site's."""
    if request.method != "POST":
        return
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(origin):
        raise CrossOrigin()
