"""Every admin route, GET and POST, gives an anonymous visitor nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from advik_coupons import create_app
from advik_coupons.services.coupons import create_batch
from tests.conftest import BASE_CONFIG, make_coupon

# The WordPress sign-on page is public like the log-in page: its token is the credential
# (tests/admin/test_admin_wordpress_sso.py).
PUBLIC = {"advik_admin.login", "advik_admin.logout", "advik_admin.static", "advik_admin.sso"}


def admin_routes() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every admin route, read from a fresh app's URL map."""
    app = create_app({**BASE_CONFIG, "ADVIK_DATABASE_URL": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("advik_admin.") or rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


ROUTES = admin_routes()


def test_the_walk_covers_the_documented_routes() -> None:
    rules = {(method, rule) for _e, method, rule in ROUTES}
    for expected in (("GET", "/admin/coupons"), ("GET", "/admin/coupons/new"),
                     ("POST", "/admin/coupons/new"), ("GET", "/admin/coupons/<int:coupon_id>"),
                     ("GET", "/admin/coupons/<int:coupon_id>/edit"),
                     ("POST", "/admin/coupons/<int:coupon_id>/edit"),
                     ("POST", "/admin/coupons/<int:coupon_id>/toggle"),
                     ("POST", "/admin/coupons/<int:coupon_id>/delete")):
        assert expected in rules


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES,
                         ids=[f"{m} {r}" for _e, m, r in ROUTES])
def test_anonymous_gets_nothing(app: Flask, endpoint: str, method: str, rule: str) -> None:
    coupon_id = make_coupon(app, name="Secret campaign", code="SECRET42")
    with app.app_context():
        batch, _codes = create_batch(coupon_id, 2, "HIDDEN")
        batch_id = batch.id
    values = {"coupon_id": coupon_id, "batch_id": batch_id}
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule)
    client = app.test_client()
    response = client.open(path, method=method, data={"name": "x", "code": "NEWCODE"})
    if method == "GET":
        assert response.status_code == 302
        assert response.location.startswith("/admin/login")
    else:
        assert response.status_code in {401, 403}
    for secret in ("SECRET42", "Secret campaign", "HIDDEN"):
        assert secret not in response.text
    assert client.get(f"/admin/coupons/{coupon_id}").status_code == 302
