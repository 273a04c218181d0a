"""When the database cannot be reached: one log line and a ``503``, not a stack trace.

The standalone app (:func:`advik_coupons.create_app`) starts without touching
the database, so gunicorn workers boot even while MySQL is still coming up;
each request that needs the database then answers ``503`` with
``Retry-After`` until it is back, and the log gets one line per failure
instead of a traceback. ``advik-coupons init-db`` (run once before starting
the workers) is where an unreachable database stops a deployment, with a
one-line message.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.wrappers import Response

# A child of the standalone app's logger ("advik_coupons"), which has Flask's handler.
log = logging.getLogger("advik_coupons.db")

RETRY_AFTER_SECONDS = 1


def _unavailable(error: Exception) -> tuple[Response, int, dict[str, str]]:
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
