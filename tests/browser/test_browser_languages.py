"""The demo's payment step in Spanish and German (the browser's Accept-Language) on a yen
site (DESIGN §8): the widget's words and messages, the live summary without decimals, and
the confirmation, in headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import demo_app, need_chromium, save_screenshot, serving
from tests.browser.test_browser_checkout import field, widget

pytestmark = pytest.mark.browser

NB = "\xa0"
# Deep cleaning 140 + window washing 45 = ¥185; tax 8.25 % half-up to the yen.
# SPRING10: 10 % of 185 = 18.5 -> 19; tax of 166 = 13.695 -> 14; total 180.
WORDS: dict[str, dict[str, Any]] = {
    "es": {
        "services": ("Limpieza a fondo (4 h)", "Limpieza de ventanas"),
        "email": "Su correo electrónico", "continue": "Continuar al pago", "payment": "Pago",
        "toggle": "¿Tiene un código de cupón?", "code": "Código de cupón", "apply": "Aplicar",
        "labels": ("Subtotal", "Descuento", "Impuestos", "Total"),
        "yen": lambda n: f"{n}{NB}JPY",
        "applied": f"Cupón aplicado: SPRING10. Ahorra 19{NB}JPY.",
        "invalid": "Este cupón no es válido.",
        "removed": "Cupón eliminado.", "remove": "Quitar",
        "minimum": f"Este cupón requiere una compra mínima de 200{NB}JPY.",
        "book": "Reservar", "thanks": "¡Gracias, su reserva está confirmada!",
    },
    "de": {
        "services": ("Grundreinigung (4 Std.)", "Fensterreinigung"),
        "email": "Ihre E-Mail-Adresse", "continue": "Weiter zur Zahlung", "payment": "Zahlung",
        "toggle": "Haben Sie einen Gutscheincode?", "code": "Gutscheincode",
        "apply": "Einlösen", "labels": ("Zwischensumme", "Rabatt", "Steuer", "Gesamt"),
        "yen": lambda n: f"{n}{NB}¥",
        "applied": f"Gutschein eingelöst: SPRING10 – Sie sparen 19{NB}¥.",
        "invalid": "Dieser Gutschein ist nicht gültig.",
        "removed": "Gutschein entfernt.", "remove": "Entfernen",
        "minimum": f"Dieser Gutschein gilt ab einem Bestellwert von 200{NB}¥.",
        "book": "Buchen", "thanks": "Vielen Dank, Ihre Buchung ist bestätigt!",
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    need_chromium()
    app = demo_app(tmp_path_factory.mktemp("demo-yen"), ADVIK_CURRENCY="JPY")
    with serving(app) as base:
        yield app, base


@pytest.fixture(params=sorted(WORDS))
def speaking(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, str]]:
    locale = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  locale={"es": "es-ES", "de": "de-DE"}[locale])
    context.set_default_timeout(10_000)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page, locale
    if request.session.testsfailed > failed_before:
        save_screenshot(page, request.node.name)
    context.close()


def to_payment(page: Page, base: str, words: dict[str, Any], email: str) -> None:
    page.goto(base + "/demo/")
    expect(page.locator("html")).to_have_attribute("lang", page.evaluate(
        "navigator.language").split("-")[0])
    for name in words["services"]:
        page.get_by_label(name).check()
    expect(page.locator("#live-subtotal")).to_have_text(words["yen"](185))
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.get_by_role("heading", name=words["payment"], exact=True)).to_be_visible()
    expect(widget(page)).to_have_attribute("data-advik-ready", "true")


def apply_code(page: Page, words: dict[str, Any], code: str) -> None:
    toggle = page.get_by_role("button", name=words["toggle"])
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    page.get_by_label(words["code"]).fill(code)
    page.get_by_role("button", name=words["apply"], exact=True).click()


def test_the_payment_step_reads_right(site: tuple[Flask, str],
                                      speaking: tuple[Page, str]) -> None:
    _app, base = site
    page, locale = speaking
    words = WORDS[locale]
    yen = words["yen"]
    to_payment(page, base, words, f"{locale}-yen@example.com")
    labels = widget(page).locator(".advik-summary__row:not(.advik-summary__later) dt")
    expect(labels).to_have_count(4)
    for i, label in enumerate(words["labels"]):
        expect(labels.nth(i)).to_contain_text(label)
    expect(field(page, "subtotal")).to_have_text(yen(185))
    expect(field(page, "tax")).to_have_text(yen(15))
    expect(field(page, "total")).to_have_text(yen(200))

    apply_code(page, words, "nope")
    expect(widget(page).locator(".advik-coupon__error")).to_have_text(words["invalid"])
    apply_code(page, words, "save25")  # a minimum of 200, written in the language
    expect(widget(page).locator(".advik-coupon__error")).to_have_text(words["minimum"])

    apply_code(page, words, "spring10")
    applied = widget(page).locator(".advik-coupon__applied-text")
    expect(applied).to_contain_text(words["applied"])
    expect(field(page, "discount")).to_have_text("\u2212" + yen(19))
    expect(field(page, "tax")).to_have_text(yen(14))
    expect(field(page, "total")).to_have_text(yen(180))

    page.get_by_role("button", name=words["remove"]).click()
    expect(widget(page).locator(".advik-coupon__error")).to_have_text(words["removed"])
    expect(field(page, "total")).to_have_text(yen(200))
    apply_code(page, words, "spring10")
    expect(applied).to_contain_text(words["applied"])

    page.get_by_role("button", name=words["book"], exact=True).click()
    expect(page.get_by_role("heading", name=words["thanks"])).to_be_visible()
    expect(page.locator("[data-discount]")).to_have_text("\u2212" + yen(19))
    expect(page.locator("[data-total]")).to_have_text(yen(180))
