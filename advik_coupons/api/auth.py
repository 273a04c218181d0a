"""Bearer-token authentication of the JSON API: ``Authorization: Bearer <token>``.

A missing or wrong token answers ``401`` (JSON, with ``WWW-Authenticate``);
the token's name becomes the ``actor`` of the changes the request makes
(``api:<name>``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from werkzeug.exceptions import Unauthorized

from ..services.accounts import check_token

F = TypeVar("F", bound=Callable[..., Any])


class TokenRequired(Unauthorized):
    def __init__(self) -> None:
        super().__init__(description="A valid API token is required.")

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json"),
                ("WWW-Authenticate", 'Bearer realm="advik-coupons"')]

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return '{"error": "unauthorized", "message": "A valid API token is required."}'


def token_required(view: F) -> F:
    """Require ``Authorization: Bearer <token>``; the token's name lands in ``g``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRequired()
        name = check_token(token.strip())
        if name is None:
            raise TokenRequired()
        g.advik_actor = f"api:{name}"
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def actor() -> str:
    """Who is making this request's changes: ``api:<token name>``."""
    return str(g.get("advik_actor", "api"))
