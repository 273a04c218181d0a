"""JSON for the requests that match no view under a JSON face's paths.

A mistyped path or a wrong method under the API prefix (or on
``/coupons/apply``) fails in Flask's routing, before any blueprint is chosen,
so no blueprint's error handler sees it and the answer would be the HTML page.
:func:`answer_misses_as_json` adds an app ``before_request`` (those run even when
routing failed) that answers such a request ``{"error", "message"}`` itself:
the host's own error handlers are left as they are for every other path.
"""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import MethodNotAllowed, NotFound

from .errors import json_http_error


def answer_misses_as_json(app: Flask, path: str, *, exact: bool = False) -> None:
    """404 and 405 at ``path`` (and, unless ``exact``, below it) as JSON."""
    below = path.rstrip("/") + "/"

    def _miss() -> ResponseReturnValue | None:
        error = request.routing_exception
        if not isinstance(error, NotFound | MethodNotAllowed):
            return None
        here = request.path
        if here != path and (exact or not here.startswith(below)):
            return None
        return json_http_error(error)

    app.before_request(_miss)
