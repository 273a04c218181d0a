"""Helpers for the admin page tests: a logged-in test client and CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advik_coupons.services.accounts import create_admin

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"'
                      r'|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_from(html: str) -> str:
    found = TOKEN_RE.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1) or found.group(2)


class AdminClient:
    """A test client logged in as a built-in admin; ``post`` adds the CSRF token."""

    def __init__(self, app: Flask, role: str | None = None,
                 email: str = ADMIN_EMAIL) -> None:
        self.app = app
        with app.app_context():
            create_admin(email, ADMIN_PASSWORD, role)
        self.client: FlaskClient = app.test_client()
        response = self.login(email, ADMIN_PASSWORD)
        assert response.status_code == 302, response.text

    def login(self, email: str, password: str) -> Any:
        token = csrf_from(self.client.get("/admin/login").text)
        return self.client.post("/admin/login", data={"email": email, "password": password,
                                                      "csrf_token": token})

    def token(self) -> str:
        return csrf_from(self.client.get("/admin/coupons").text)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.token())
        return self.client.post(path, data=body, **kwargs)


@pytest.fixture
def admin(app: Flask) -> AdminClient:
    return AdminClient(app)


@pytest.fixture
def any_admin(any_app: Flask) -> AdminClient:
    return AdminClient(any_app)
