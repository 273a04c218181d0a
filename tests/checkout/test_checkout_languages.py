"""The customer's language (DESIGN §8): body ``locale``, then ``Accept-Language``, then
``ADVIK_LOCALE``; the answer names the catalog used; values are Babel's; reason codes stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from advik_coupons.domain.messages import WIDGET
from advik_coupons.web.i18n import match_tag
from tests.conftest import ApiClient, make_app, make_coupon


@pytest.fixture
def yen_app(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_CURRENCY="JPY", ADVIK_TAX_RATE=Decimal("10"))


@pytest.fixture
def german_site(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_LOCALE="de", ADVIK_CURRENCY="EUR")


def apply(app: Flask, body: dict[str, Any], **headers: str) -> tuple[int, dict[str, Any]]:
    response = app.test_client().post("/coupons/apply", json=body, headers=headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(("tag", "catalog"), [
    ("es", "es"), ("es-MX", "es"), ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("pt_br", "pt_BR"),
    ("DE-at", "de"), ("fr-CA", "fr"), ("en-GB", "en"), ("it", None), ("", None),
    ("*", None), ("not a tag!", None), ("x" * 80, None),
])
def test_tags_find_their_catalog(tag: str, catalog: str | None) -> None:
    assert match_tag(tag) == catalog


def test_the_body_locale_comes_first(app: Flask) -> None:
    status, body = apply(app, {"code": "NOPE", "subtotal": "10", "locale": "es"},
                         **{"Accept-Language": "de"})
    assert status == 422
    assert body == {"valid": False, "reason": "not_found", "message": "Este cupón no es válido.",
                    "locale": "es"}


def test_then_accept_language_then_the_site(german_site: Flask, app: Flask) -> None:
    _, body = apply(app, {"code": "NOPE", "subtotal": "10", "locale": "it"},
                    **{"Accept-Language": "it;q=1, pt-BR;q=0.8, fr;q=0.5"})
    assert (body["locale"], body["message"]) == ("pt-BR", "Este cupom não é válido.")
    _, body = apply(german_site, {"code": "NOPE", "subtotal": "10"},
                    **{"Accept-Language": "ja, zh"})
    assert (body["locale"], body["message"]) == ("de", "Dieser Gutschein ist nicht gültig.")
    _, body = apply(app, {"code": "NOPE", "subtotal": "10", "locale": 12})
    assert (body["reason"], body["locale"]) == ("not_found", "en")


def test_applied_answer_is_translated_with_the_currency_decimals(yen_app: Flask) -> None:
    make_coupon(yen_app, code="TENPCT", discount_value=Decimal("10"))
    status, body = apply(yen_app, {"code": "tenpct", "subtotal": "12345", "locale": "fr"})
    assert status == 200
    assert body == {"valid": True, "code": "TENPCT", "message": "Code promo appliqué",
                    "subtotal": "12345", "discount": "1235", "tax": "1111", "total": "12221",
                    "currency": "JPY", "locale": "fr"}


def test_more_decimals_than_the_currency_has_is_a_400(yen_app: Flask) -> None:
    status, body = apply(yen_app, {"code": "X", "subtotal": "100.5"})
    assert status == 400 and "subtotal" in body["errors"]


def test_values_are_formatted_for_the_language(german_site: Flask) -> None:
    make_coupon(german_site, code="MIN", min_subtotal=Decimal("1234.5"))
    make_coupon(german_site, code="DAYS", days_of_week=frozenset({"mon", "tue", "wed"}))
    make_coupon(german_site, code="LATER", starts_at=datetime(2099, 12, 7, 12, tzinfo=UTC))
    _, body = apply(german_site, {"code": "MIN", "subtotal": "10"})
    assert body["message"] == "Dieser Gutschein gilt ab einem Bestellwert von 1.234,50\xa0€."
    _, body = apply(german_site, {"code": "DAYS", "subtotal": "10",
                                  "booking_date": "2026-12-11"})
    assert body["reason"] == "day_not_allowed"
    assert body["message"] == ("Dieser Gutschein gilt nur für Buchungen an diesen Tagen: "
                               "Montag, Dienstag und Mittwoch.")
    _, body = apply(german_site, {"code": "LATER", "subtotal": "10", "locale": "es"})
    assert (body["reason"], body["message"]) == ("not_started",
                                                 "Este cupón es válido a partir del 7 dic 2099.")
    _, body = apply(german_site, {"code": "LATER", "subtotal": "10", "locale": "en"})
    assert body["message"] == "This coupon starts on 7 Dec 2099."


def test_the_api_quote_is_translated_too(app: Flask) -> None:
    make_coupon(app, code="TEST10")
    api = ApiClient(app)
    response = api.post("/quote", json={"code": "TEST10", "subtotal": "100"},
                        headers={"Accept-Language": "pt-BR"})
    assert response.status_code == 200
    assert (response.get_json()["message"], response.get_json()["locale"]) == (
        "Cupom aplicado", "pt-BR")


def test_the_widget_speaks_the_page_language(yen_app: Flask) -> None:
    client = yen_app.test_client()
    response = client.get("/coupons/widget.json", headers={"Accept-Language": "es"})
    config = response.get_json()
    assert "Accept-Language" in response.headers["Vary"]
    assert (config["locale"], config["decimals"], config["currency"]) == ("es", 0, "JPY")
    assert set(config["messages"]) == set(WIDGET)
    assert config["messages"]["apply"] == "Aplicar"
    assert "¿Tiene un código de cupón?" in config["markup"]
    assert "Subtotal" in config["markup"] and "Impuestos" in config["markup"]


def test_the_rendered_widget_carries_its_words(yen_app: Flask) -> None:
    with yen_app.test_request_context("/", headers={"Accept-Language": "de"}):
        html = render_template_string(
            '{% with advik_booking={"subtotal": "1234"} %}'
            '{% include "advik/coupon_widget.html" %}{% endwith %}')
    assert 'data-locale="de"' in html and 'data-decimals="0"' in html
    messages = json.loads(unescape(html.split('data-messages="')[1].split('"')[0]))
    assert messages["applied"] == "Gutschein eingelöst: {code} – Sie sparen {amount}."
    assert "1.234\xa0¥" in html  # yen without decimals, written the German way
