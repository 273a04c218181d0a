"""Every answer a test gets from the JSON API or ``/coupons/apply`` is checked against
the app's own OpenAPI document (openapi-core), so the document cannot drift from what
the server sends.

:func:`validating_clients` makes each ``app.test_client()`` of a test a
:class:`ValidatingClient`: a request whose path and method are an operation of the
document has its answer validated (status, content type, headers, body); paths the
document does not describe (the admin, a mistyped path) are not its business.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

from advik_coupons.api.openapi import build_document

_documents: dict[int, OpenAPI] = {}


def openapi_of(app: Flask) -> OpenAPI:
    """The document of ``app`` (its prefixes), read once per app."""
    found = _documents.get(id(app))
    if found is None:
        found = _documents[id(app)] = OpenAPI.from_dict(build_document(app))
    return found


class _AnsweredRequest(WerkzeugOpenAPIRequest):
    """The request of an answer: its body was read by the app (an answer's check needs
    only the path, method and parameters)."""

    @property
    def body(self) -> bytes:
        return b""


class _Answer(WerkzeugOpenAPIResponse):
    """An answer; a text one (CSV) read as the text its ``string`` schema describes."""

    @property
    def data(self) -> Any:
        raw = self.response.get_data()
        return raw.decode("utf-8") if self.response.mimetype == "text/csv" else raw


class ValidatingClient(FlaskClient):
    """Flask's test client, validating each answer of a documented operation."""

    checked = 0

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if response.request is None or response.status_code == 405:
            return response
        spec = openapi_of(self.application)
        request = _AnsweredRequest(response.request)
        try:
            spec.validate_response(request, _Answer(response))
        except (PathNotFound, OperationNotFound):
            return response
        ValidatingClient.checked += 1
        return response


@pytest.fixture(autouse=True)
def validating_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(Flask, "test_client_class", ValidatingClient)
    yield
