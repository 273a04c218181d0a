"""The 64 KiB cap on request bodies, whatever the server and the transfer encoding.

``Content-Length`` alone is not enough: gunicorn (and werkzeug's own server)
hand a chunked body to the app with no length at all, and Flask would read all
of it. So every request to one of the plugin's blueprints gets
``request.max_content_length`` (Flask's per-request cap, werkzeug's limited
stream), and a chunked body is read here, at most one byte past the cap, before
any view, limiter or form parser touches it; the bytes read become the request's
input (with their length) for them.
A host's smaller ``MAX_CONTENT_LENGTH`` wins. Anything larger is ``413`` with a
JSON body. waitress de-chunks before the app and sets the length, so its bodies
are refused by the same check.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from .bodies import MAX_BODY
from .errors import json_http_error

#: The blueprints whose requests are capped (the host's own routes are the host's).
CAPPED_BLUEPRINTS = frozenset({"advik_api", "advik_admin", "advik_checkout", "advik_demo"})


def _capped() -> bool:
    return request.blueprint in CAPPED_BLUEPRINTS


def body_limit() -> int:
    """:data:`MAX_BODY`, or the host's ``MAX_CONTENT_LENGTH`` when that is smaller."""
    host = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(MAX_BODY, int(host)) if host else MAX_BODY


def cap_body() -> None:
    """``before_request``: refuse a body above :data:`MAX_BODY` before anything reads it."""
    if not _capped():
        return
    limit = body_limit()
    request.max_content_length = limit
    length = request.content_length
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge()
        return
    environ = request.environ
    if environ.get("wsgi.input_terminated"):  # chunked: read at most the cap, keep the bytes
        data = read_at_most(environ["wsgi.input"], limit + 1)
        if len(data) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        request.__dict__.pop("stream", None)  # werkzeug's cached stream, if anyone opened it


def read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (a raw stream may return less per read)."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = stream.read(min(left, 16384))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """The plugin's pages answer ``413`` as JSON; the host's keep their own answer."""
    return json_http_error(error) if _capped() else error


def register(app: Flask) -> None:
    """Cap the plugin's request bodies on ``app`` (before every other ``before_request``)."""
    app.before_request_funcs.setdefault(None, []).insert(0, cap_body)
    app.register_error_handler(RequestEntityTooLarge, too_large)
