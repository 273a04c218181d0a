"""Rate limits on ``POST /coupons/apply`` (DESIGN §5), with Flask-Limiter.

One :class:`~flask_limiter.Limiter` per app (kept in ``get_state().extras``),
never a module-level one, so two apps in one process do not share counters
unless they share a storage on purpose. ``ADVIK_APPLY_RATE_LIMIT`` (e.g.
``30/minute``; empty turns it off) is applied twice to the checkout blueprint:

* per client address — the socket's address, or the ``X-Forwarded-For`` entry
  added by the outermost of the ``ADVIK_TRUSTED_PROXIES`` proxies (the same
  choice werkzeug's ``ProxyFix`` makes, without rewriting the host's WSGI
  environ);
* per e-mail, when the body carries one (hashed, so the storage never holds
  addresses).

``ADVIK_RATELIMIT_STORAGE_URL`` picks the storage: ``memory://`` for one
process, ``redis://…`` to share the counts among all workers. When Redis is
down the limiter falls back to memory rather than failing the request.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter, RateLimitExceeded

from .bodies import read_body
from .extension import AppState, get_state

LIMITER_KEY = "limiter"
KEY_PREFIX = "advik_apply"


def client_address() -> str:
    """The client's address, trusting ``ADVIK_TRUSTED_PROXIES`` proxies' headers."""
    trusted = int(current_app.config.get("ADVIK_TRUSTED_PROXIES") or 0)
    if trusted > 0:
        header = ",".join(request.headers.getlist("X-Forwarded-For"))
        values = [v.strip() for v in header.split(",") if v.strip()]
        if len(values) >= trusted:
            return values[-trusted]
    return request.remote_addr or "unknown"


def _address_key() -> str:
    return "addr:" + client_address()


def request_email() -> str | None:
    """The e-mail of the request body, lower-cased, or None (never raises).

    Read once per request (the limiter asks several times).
    """
    if "advik_limit_email" in g:
        return g.advik_limit_email  # type: ignore[no-any-return]
    try:
        value = read_body(request).get("email")
    except Exception:  # noqa: BLE001 - a bad body is the view's to report, not the limiter's
        value = None
    email = value.strip().lower() if isinstance(value, str) and value.strip() else None
    g.advik_limit_email = email
    return email


def _email_key() -> str:
    email = request_email() or ""
    digest = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "email:" + digest


def _no_email() -> bool:
    return request_email() is None


def _never() -> bool:
    return True


def init_limits(app: Flask, state: AppState, blueprint: Blueprint) -> Limiter | None:
    """Create this app's limiter and put the apply limits on ``blueprint``."""
    rate = str(app.config.get("ADVIK_APPLY_RATE_LIMIT") or "").strip()
    if not rate:
        return None
    limiter = Limiter(
        _address_key,
        storage_uri=str(app.config.get("ADVIK_RATELIMIT_STORAGE_URL") or "memory://"),
        strategy="fixed-window",
        headers_enabled=False,  # the 429 sets Retry-After itself, see too_many()
        key_prefix=KEY_PREFIX,
        in_memory_fallback_enabled=True,
        # A host's own RATELIMIT_DEFAULT/APPLICATION settings belong to its own limiter.
        default_limits_exempt_when=_never,
        application_limits_exempt_when=_never,
    )
    limiter.init_app(app)
    limiter.limit(rate, key_func=_address_key, methods=["POST"])(blueprint)
    limiter.limit(rate, key_func=_email_key, methods=["POST"], exempt_when=_no_email,
                  scope="apply-email")(blueprint)
    state.extras[LIMITER_KEY] = limiter
    return limiter


def app_limiter(app: Flask | None = None) -> Limiter | None:
    """The apply limiter of ``app`` (default: the current app), if limits are on."""
    found = get_state(app).extras.get(LIMITER_KEY)
    return found if isinstance(found, Limiter) else None


def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    """``429`` as JSON, with ``Retry-After`` in seconds."""
    window = max(1, int(error.limit.limit.get_expiry()))
    retry_after = window
    limiter = app_limiter()
    current = limiter.current_limit if limiter is not None else None
    if current is not None:
        with contextlib.suppress(Exception):  # storage trouble: the window's length will do
            retry_after = min(window, max(1, math.ceil(current.reset_at - time.time())))
    response = jsonify({"valid": False, "reason": "rate_limited",
                        "message": "Too many attempts. Please wait a moment and try again.",
                        "retry_after": retry_after})
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response
