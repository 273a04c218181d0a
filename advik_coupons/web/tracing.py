"""The request id: taken from ``X-Request-ID`` (when it is a sane token) or made, bound
for the request (logs, outbox notices, hook receivers) and returned in the answer.

Registered on the whole app, so a host's own pages get the header as well; a
response that already carries ``X-Request-ID`` (a host's own middleware) keeps it.
"""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.wrappers import Response

from .. import requestid


def _bind() -> None:
    g.advik_request_id = requestid.accept(request.headers.get(requestid.HEADER))
    requestid.bind(g.advik_request_id)


def _answer(response: Response) -> Response:
    found = g.get("advik_request_id")
    if found and requestid.HEADER not in response.headers:
        response.headers[requestid.HEADER] = found
    return response


def _unbind(_error: BaseException | None) -> None:
    requestid.bind(None)


def register(app: Flask) -> None:
    """Give every request of ``app`` an id (first of the app's request hooks)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _bind)
    app.after_request(_answer)
    app.teardown_request(_unbind)
