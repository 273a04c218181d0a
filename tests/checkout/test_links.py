"""Links that apply a code (docs/contracts.md §12): ``/coupons/go/<CODE>?next=/path``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from advik_coupons.state import get_state
from advik_coupons.store.tracking import funnel
from tests.conftest import make_app, make_coupon


def opened(app: Flask, coupon_id: int) -> int:
    with app.app_context():
        state = get_state()
        state.funnel.flush()
        today = datetime.now(UTC).date() + timedelta(days=1)
        return funnel(state.session, coupon_id, date(2000, 1, 1), today).get("link_opened", 0)


def test_a_link_remembers_the_code_and_goes_next(app: Flask) -> None:
    coupon_id = make_coupon(app, code="SPRING10")
    client = app.test_client()
    r = client.get("/coupons/go/spring10?next=/book/cleaning?step=2")
    assert (r.status_code, r.location) == (302, "/book/cleaning?step=2")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("advik_coupon=SPRING10;")
    for part in ("HttpOnly", "SameSite=Lax", "Max-Age=604800", "Path=/"):
        assert part in cookie
    assert opened(app, coupon_id) == 1


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/x", "/\\evil.example", "\\\\evil.example",
    "%2F%2Fevil.example", "/%2F/evil.example", "/%5Cevil.example", "%252F%252Fevil.example",
    "javascript:alert(1)", "/x\r\nSet-Cookie: a=b", "", "evil.example", "http:/evil.example",
])
def test_only_a_path_on_this_site_is_followed(app: Flask, target: str) -> None:
    make_coupon(app, code="SPRING10")
    r = app.test_client().get("/coupons/go/SPRING10", query_string={"next": target})
    assert (r.status_code, r.location) == (302, "/")


def test_the_root_is_the_site_url_when_set(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_SITE_URL="https://clean.example/")
    r = app.test_client().get("/coupons/go/ANY?next=//evil.example")
    assert r.location == "https://clean.example/"


def test_unknown_codes_are_answered_alike(app: Flask) -> None:
    make_coupon(app, code="SPRING10")
    client = app.test_client()
    known = client.get("/coupons/go/SPRING10?next=/b")
    unknown = client.get("/coupons/go/NOSUCH99?next=/b")
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert unknown.headers["Set-Cookie"].startswith("advik_coupon=NOSUCH99;")
    assert opened(app, 0) == 1  # counted under no coupon


def test_links_are_rate_limited_like_apply(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="3/minute")
    client = app.test_client()
    answers = [client.get(f"/coupons/go/CODE{n}").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]


def test_the_widget_applies_the_remembered_code(app: Flask) -> None:
    make_coupon(app, code="SPRING10")
    client = app.test_client()
    client.get("/coupons/go/spring10")
    with app.test_request_context(headers={"Cookie": "advik_coupon=SPRING10"}):
        html = render_template_string(
            '{% with advik_booking={"subtotal": "100.00"} %}'
            '{% include "advik/coupon_widget.html" %}{% endwith %}')
    assert 'data-auto-apply="link"' in html and 'value="SPRING10"' in html
    with app.test_request_context(headers={"Cookie": "advik_coupon=<script>"}):
        html = render_template_string('{% include "advik/coupon_widget.html" %}')
    assert "data-auto-apply" not in html and "<script>" not in html
