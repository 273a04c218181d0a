"""The customer's language: which catalog a request gets, and its words.

The catalogs (gettext, ``advik_coupons/translations/<lang>/LC_MESSAGES``) ship
for :data:`CATALOGS`. A request's language is the body's ``locale`` (BCP 47:
``es``, ``pt-BR``), else the best of its ``Accept-Language``, else
``ADVIK_LOCALE``; a tag with no catalog, or a malformed one, falls to the next
source (``es-MX`` is served by ``es``, ``pt`` by ``pt_BR``), never a ``400``.

Flask-Babel renders the templates: when the host has no Flask-Babel of its
own, the extension sets one up with :func:`request_locale` as its selector;
when it has, the package's catalogs are added to the host's translation
directories so its ``_()`` knows our words too. JSON answers are translated
with :func:`translate`: the catalogs are read once per process and kept.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel

from ..domain.errors import CouponRejected
from ..domain.messages import APPLIED, WIDGET
from ..domain.wording import rejection_text
from ..resources import resource_dir
from ..services.quoting import Quote
from ..state import get_state
from .bodies import BODY_KEY

#: The catalogs that ship, as gettext names them.
CATALOGS: tuple[str, ...] = ("en", "es", "fr", "de", "pt_BR")
DOMAIN = "messages"
_G_KEY = "advik_locale"


def translations_dir() -> str:
    return str(resource_dir("translations"))


@lru_cache(maxsize=512)
def match_tag(tag: str) -> str | None:
    """The catalog serving a language tag (``es-MX`` → ``es``), or None."""
    text = tag.strip().replace("-", "_")
    if not text or len(text) > 35 or text == "*":
        return None
    try:
        loc = Locale.parse(text)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    full = f"{loc.language}_{loc.territory}" if loc.territory else loc.language
    if full in CATALOGS:
        return full
    return next((c for c in CATALOGS if c.split("_")[0] == loc.language), None)


def bcp47(catalog: str) -> str:
    """``pt_BR`` → ``pt-BR``: how the answers name the catalog used."""
    return catalog.replace("_", "-")


def _from_body() -> str | None:
    body = request.environ.get(BODY_KEY)
    tag = body.get("locale") if isinstance(body, dict) else None
    return match_tag(tag) if isinstance(tag, str) else None


def _from_header() -> str | None:
    for value, _quality in request.accept_languages:
        found = match_tag(value)
        if found:
            return found
    return None


def site_locale() -> str:
    return match_tag(str(current_app.config.get("ADVIK_LOCALE") or "en")) or "en"


def request_locale() -> str:
    """The catalog for this request: body ``locale``, ``Accept-Language``, ``ADVIK_LOCALE``."""
    if not has_request_context():
        return site_locale()
    body_read = BODY_KEY in request.environ  # a body read later may name the locale
    cached: tuple[str, bool] | None = g.get(_G_KEY)
    if cached is not None and cached[1] == body_read:
        return cached[0]
    found = (_from_body() if body_read else None) or _from_header() or site_locale()
    setattr(g, _G_KEY, (found, body_read))
    return found


@lru_cache(maxsize=16)
def catalog(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale``, read once per process."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(translations_dir(), [locale], DOMAIN)


def translate(text: str, locale: str | None = None) -> str:
    """``text`` in the request's language (or ``locale``'s)."""
    return str(catalog(locale or request_locale()).gettext(text))


def rejection_message(error: CouponRejected, locale: str | None = None) -> str:
    """A rejection's message in the customer's language, its values formatted for it."""
    chosen = locale or request_locale()
    if chosen == "en":
        return error.message
    return rejection_text(error.reason, error.variant, error.values, locale=chosen,
                          currency=get_state().currency,
                          translate=lambda text: translate(text, chosen))


@lru_cache(maxsize=16)
def _widget_messages(locale: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, translate(text, locale)) for key, text in WIDGET.items())


def widget_messages(locale: str | None = None) -> dict[str, str]:
    """What the widget's script says, in the customer's language (cached per locale)."""
    return dict(_widget_messages(locale or request_locale()))


def answer_quote(found: Quote) -> dict[str, Any]:
    """A quote's answer: "Coupon applied" in the customer's language, and ``locale``."""
    body = found.as_json()
    body["message"] = translate(APPLIED)
    return localized(body)


def localized(body: dict[str, Any]) -> dict[str, Any]:
    """An answer with ``locale`` (the catalog used, BCP 47) added."""
    body["locale"] = bcp47(request_locale())
    return body


def init_babel(app: Flask) -> None:
    """Flask-Babel for the templates, with the package's catalogs."""
    ours = translations_dir()
    hosts = app.extensions.get("babel")
    if hosts is not None:  # the host's Flask-Babel: its selector, our words added
        if ours not in hosts.translation_directories:
            hosts.translation_directories.append(ours)
        return
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ours)
    Babel(app, locale_selector=request_locale)
