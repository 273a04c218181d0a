"""When the database cannot be reached: one log line and a ``503``, not a stack trace.

The standalone app (:func:`advik_coupons.create_app`) starts without touching
the database, so gunicorn workers boot even while MySQL is still coming up;
each request that needs the database then answers ``503`` with
``Retry-After`` until it is back, and the log gets one line per failure
instead of a traceback. ``advik-coupons init-db`` (run once before starting
the workers) is where an unreachable database stops a deployment, with a
one-line message.

A conflict (a deadlock, a lock-wait timeout, a cluster's certification
conflict: :mod:`advik_coupons.store.retry`) is not an unreachable database: the
services retry it, and one that still reaches a view is answered like
:class:`~advik_coupons.domain.errors.Busy` (``409`` with ``Retry-After``), never ``503``.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError

from ..domain.errors import Busy
from ..store.retry import conflict_kind

# A child of the standalone app's logger ("advik_coupons"), which has Flask's handler.
log = logging.getLogger("advik_coupons.db")

RETRY_AFTER_SECONDS = 1


def _unavailable(error: Exception) -> ResponseReturnValue:
    kind = conflict_kind(error)
    if kind is not None:
        busy = Busy(kind, 1)
        return jsonify(busy.as_json()), 409, {"Retry-After": str(busy.retry_after)}
    orig = getattr(error, "orig", None) or error
    log.error("database unavailable: %s", str(orig).replace("\n", " "))
    body = jsonify({"error": "database_unavailable",
                    "message": "The coupon service cannot reach its database; "
                               "try again in a moment."})
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def register(app: Flask) -> None:
    """Answer database connection failures of ``app``'s views with ``503``."""
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(InterfaceError, _unavailable)
