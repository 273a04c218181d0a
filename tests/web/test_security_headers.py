"""Security headers (DESIGN §13) on every page, one test per page of the app.

Issue 18 row 8: no page sent a CSP, ``X-Frame-Options``/``frame-ancestors``,
``nosniff``, ``Referrer-Policy``, nor ``no-store`` on the admin pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from advik_coupons import AdvikCoupons
from advik_coupons.services.coupons import create_batch
from advik_coupons.state import get_state
from tests.admin_support import AdminClient
from tests.conftest import make_app, make_coupon

#: Health probes: never cached, by their own answer.
PROBES = frozenset({"/healthz", "/readyz"})
#: (method, path) of every page; ``{c}`` a coupon, ``{b}`` its batch.
PAGES: tuple[tuple[str, str], ...] = (
    ("GET", "/"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/advik-static/admin.css"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/coupons"), ("POST", "/api/v1/coupons"), ("GET", "/api/v1/coupons/{c}"),
    ("PATCH", "/api/v1/coupons/{c}"),
    ("POST", "/api/v1/coupons/{c}/activate"), ("POST", "/api/v1/coupons/{c}/deactivate"),
    ("POST", "/api/v1/coupons/{c}/batches"), ("GET", "/api/v1/coupons/{c}/redemptions"),
    ("GET", "/api/v1/coupons/{c}/stats"), ("GET", "/api/v1/stats"),
    ("POST", "/api/v1/quote"), ("POST", "/api/v1/redemptions"),
    ("PATCH", "/api/v1/redemptions/1"), ("POST", "/api/v1/redemptions/1/cancel"),
    ("POST", "/api/v1/bookings"),
    ("GET", "/admin/static/admin.js"), ("GET", "/admin/login"), ("GET", "/admin/logout"),
    ("GET", "/admin/sso"), ("GET", "/admin/"), ("GET", "/admin/overview.csv"),
    ("GET", "/admin/coupons"), ("GET", "/admin/coupons/new"),
    ("GET", "/admin/coupons/generate-code"), ("GET", "/admin/coupons/{c}"),
    ("GET", "/admin/coupons/{c}/edit"), ("POST", "/admin/coupons/{c}/toggle"),
    ("GET", "/admin/coupons/{c}/bookings"),
    ("GET", "/admin/coupons/{c}/bookings.csv"), ("GET", "/admin/coupons/{c}/apply"),
    ("GET", "/admin/coupons/{c}/batches"), ("GET", "/admin/coupons/{c}/batches/{b}"),
    ("GET", "/admin/coupons/{c}/batches/{b}.csv"), ("GET", "/admin/deliveries"),
    ("POST", "/admin/deliveries/1/retry"),
    ("GET", "/coupons/static/advik-coupon.js"), ("POST", "/coupons/apply"),
    ("GET", "/coupons/go/SPRING10"), ("GET", "/coupons/widget.json"),
    ("GET", "/demo/"), ("GET", "/demo/payment"), ("POST", "/demo/book"),
    ("GET", "/demo/booked/NOPE"),
    ("GET", "/api/v1/coupons/{c}/history"), ("GET", "/admin/coupons.csv"),
    ("GET", "/admin/coupons/import"), ("POST", "/admin/coupons/import"),
    ("GET", "/admin/coupons/summary"), ("POST", "/admin/coupons/bulk"),
    ("POST", "/admin/coupons/{c}/restore"), ("POST", "/admin/coupons/{c}/duplicate"),
    ("GET", "/admin/coupons/{c}/bookings/1/cancel"),
    ("POST", "/admin/coupons/{c}/bookings/1/cancel"),
    ("POST", "/admin/coupons/{c}/delete"), ("DELETE", "/api/v1/coupons/{c}"),  # the last
)
SSO_SECRET = "s" * 40


def is_admin_page(path: str) -> bool:
    return path.startswith("/admin/") and not path.startswith("/admin/static/")


@pytest.fixture(scope="module")
def site(sqlite_template: Path,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[AdminClient, dict[str, int]]:
    """One site for every page (the pages that delete come last in :data:`PAGES`)."""
    folder = tmp_path_factory.mktemp("headers")
    shutil.copy(sqlite_template, folder / "db.sqlite")
    app = make_app(f"sqlite:///{folder / 'db.sqlite'}", folder, ADVIK_DEMO=True,
                   ADVIK_WORDPRESS_SSO_SECRET=SSO_SECRET)
    coupon = make_coupon(app, code="SPRING10")
    with app.app_context():
        batch, _codes = create_batch(coupon, 2)
        ids = {"c": coupon, "b": batch.id}
    return AdminClient(app), ids


def test_the_list_is_every_page(site: tuple[AdminClient, dict[str, int]]) -> None:
    app: Flask = site[0].app
    adapter = app.url_map.bind("localhost")
    listed = {(method, adapter.match(path.format(c=1, b=1), method=method)[0])
              for method, path in PAGES}
    every = {(method, rule.endpoint) for rule in app.url_map.iter_rules()
             for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    # a page answering GET and POST is listed once, by its GET
    missing = {(m, e) for m, e in every - listed if ("GET", e) not in listed}
    assert not missing


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_every_page_sends_the_headers(site: tuple[AdminClient, dict[str, int]],
                                      method: str, path: str) -> None:
    admin, ids = site
    response = admin.client.open(path.format(**ids), method=method)
    body = response.get_data(as_text=True)  # a streamed CSV is read while its context lives
    assert response.status_code < 500, body
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == (  # the sign-on link carries a token: stricter
        "no-referrer" if path == "/admin/sso" else "strict-origin-when-cross-origin")
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert "Cross-Origin-Resource-Policy" not in headers  # host sites load the widget
    if is_admin_page(path):
        assert directives["frame-ancestors"] == "'none'"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"
    else:
        assert directives["frame-ancestors"] == "'self'"
        if path not in PROBES:  # the probes say no-store themselves; the hook adds none
            assert "no-store" not in headers.get("Cache-Control", "")


def test_a_host_apps_own_pages_are_left_alone(tmp_path: Path, sqlite_url: str) -> None:
    host = Flask("host_shop", instance_path=str(tmp_path / "host"))
    host.config.update(SECRET_KEY="host-secret", ADVIK_DATABASE_URL=sqlite_url,
                       ADVIK_HOOKS_DIR="")
    AdvikCoupons(host)
    host.add_url_rule("/shop", "shop", lambda: "the host's own page")
    client = host.test_client()
    assert "Content-Security-Policy" not in client.get("/shop").headers
    assert "Content-Security-Policy" in client.get("/admin/login").headers
    with host.app_context():
        get_state().engine.dispose()


def test_the_widget_and_charts_need_no_inline_code() -> None:
    """No template carries an inline script (other than JSON data) or style."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert " style=" not in text and "<style" not in text, template
        assert not re.search(r"\son[a-z]+=", text), template  # no onclick=…
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, template
