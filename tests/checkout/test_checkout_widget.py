"""The widget partial and its files, in the standalone app and mounted in a host app."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from flask import Flask, render_template_string

from advik_coupons import AdvikCoupons
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.conftest import make_app

PAGE = ('{% include "advik/coupon_assets.html" %}'
        '{% with advik_booking=booking, advik_form="pay" %}'
        '{% include "advik/coupon_widget.html" %}{% endwith %}')


def render(app: Flask, booking: dict[str, str]) -> str:
    with app.test_request_context():
        return render_template_string(PAGE, booking=booking)


def test_partial_renders_an_accessible_widget(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_TAX_RATE=Decimal("8.25"))
    html = render(app, {"subtotal": "185.00", "email": "ann@example.com",
                        "booking_date": "2026-12-07", "booking_type": "recurring"})
    field_id = re.search(r'<input class="advik-coupon__input" id="([^"]+)"', html)
    assert field_id and f'<label class="advik-coupon__label" for="{field_id.group(1)}"' in html
    assert 'aria-live="polite"' in html and 'role="status"' in html
    assert 'aria-expanded="false"' in html and ">Have a coupon code?<" in html
    assert 'data-apply-url="/coupons/apply"' in html
    assert 'data-subtotal="185.00"' in html and 'data-booking-type="recurring"' in html
    assert 'data-tax-rate="8.25"' in html
    assert '$185.00' in html and '$15.26' in html and '$200.26' in html  # tax is the site's
    assert 'name="coupon_code"' in html and 'form="pay"' in html
    assert "/coupons/static/advik-coupon.js" in html and "/coupons/static/advik-coupon.css" in html


def test_widget_ids_are_unique_on_one_page(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(
            '{% with advik_booking={"subtotal": "1"} %}{% include "advik/coupon_widget.html" %}'
            '{% include "advik/coupon_widget.html" %}{% endwith %}')
    ids = re.findall(r'<section class="advik-coupon" id="([^"]+)"', html)
    assert len(ids) == 2 and ids[0] != ids[1]


def test_values_from_the_host_are_escaped(app: Flask) -> None:
    html = render(app, {"subtotal": "10", "email": '"><script>alert(1)</script>'})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html or "&#34;&gt;&lt;script" in html


def test_bad_subtotal_from_the_host_shows_zero_not_an_error(app: Flask) -> None:
    html = render(app, {"subtotal": "NaN"})
    assert 'data-subtotal="0.00"' in html


def test_static_files_are_served(app: Flask) -> None:
    client = app.test_client()
    for name, kind in (("advik-coupon.js", "javascript"), ("advik-coupon.css", "css")):
        response = client.get(f"/coupons/static/{name}")
        assert response.status_code == 200
        assert kind in response.content_type


def test_widget_works_mounted_in_a_host_app(tmp_path: Path) -> None:
    host = Flask("host_shop")
    host.config.update(SECRET_KEY="host", TESTING=True, ADVIK_HOOKS_DIR="",
                       ADVIK_URL_PREFIX="/coupons-plugin",
                       ADVIK_DATABASE_URL=f"sqlite:///{tmp_path / 'host.sqlite'}")
    AdvikCoupons(host)
    with host.app_context():
        upgrade(get_state().engine)

    @host.get("/checkout")
    def checkout() -> str:
        return render_template_string(PAGE, booking={"subtotal": "50.00"})

    client = host.test_client()
    html = client.get("/checkout").get_data(as_text=True)
    assert 'data-apply-url="/coupons-plugin/coupons/apply"' in html
    assert client.get("/coupons-plugin/coupons/static/advik-coupon.js").status_code == 200
    answer = client.post("/coupons-plugin/coupons/apply", json={"code": "NONE", "subtotal": "5"})
    assert answer.status_code == 422
    with host.app_context():
        get_state().engine.dispose()
