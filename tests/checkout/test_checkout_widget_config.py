"""``GET /coupons/widget.json``: what a widget on a page not rendered by Jinja is built from."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from flask import Flask, render_template_string

from advik_coupons.checkout import WIDGET_CONFIG_MAX_AGE, WIDGET_ID
from advik_coupons.services.links import LINK_COOKIE
from tests.conftest import make_app

SITE = "https://booking.example.com"


def test_currency_and_tax_rate_for_allowed_origins(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_CURRENCY="eur", ADVIK_TAX_RATE=Decimal("8.25"),
                   ADVIK_CORS_ORIGINS=SITE + "/")
    client = app.test_client()
    answer = client.get("/coupons/widget.json", headers={"Origin": SITE})
    assert answer.status_code == 200
    assert {k: answer.json[k] for k in ("currency", "tax_rate")} == {"currency": "EUR",
                                                                     "tax_rate": "8.25"}
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in answer.headers["Vary"]
    assert f"max-age={WIDGET_CONFIG_MAX_AGE}" in answer.headers["Cache-Control"]
    other = client.get("/coupons/widget.json", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


def test_it_never_counts_against_the_apply_limit(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="2/minute")
    client = app.test_client()
    for _ in range(5):
        assert client.get("/coupons/widget.json").status_code == 200
    body = {"code": "NOPE", "subtotal": "10.00"}
    assert client.post("/coupons/apply", json=body).status_code == 422


def test_the_markup_is_the_jinja_widgets_inside(app: Flask) -> None:
    """One source of markup: the partial's inside, with a place for each widget's id."""
    markup = app.test_client().get("/coupons/widget.json").json["markup"]
    assert f'id="{WIDGET_ID}-entry"' in markup and f'for="{WIDGET_ID}-code"' in markup
    assert "<section" not in markup and "data-advik-coupon" not in markup
    with app.test_request_context():
        rendered = render_template_string('{% with advik_booking={"subtotal": "0"} %}'
                                          '{% include "advik/coupon_widget.html" %}{% endwith %}')
    widget_id = re.search(r'<section class="advik-coupon" id="([^"]+)"', rendered)
    assert widget_id
    inside = rendered[rendered.index(">", rendered.index("<section")) + 1:
                      rendered.rindex("</section>")]
    assert " ".join(inside.split()) == " ".join(markup.replace(WIDGET_ID, widget_id.group(1))
                                                .split())


def test_the_cached_markup_never_carries_a_browsers_remembered_code(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie(LINK_COOKIE, "SPRING10")
    markup = client.get("/coupons/widget.json").json["markup"]
    assert "SPRING10" not in markup and 'value=""' in markup
