"""A customer message in a language: the catalog's words, with its values formatted by Babel.

A rejection keeps its values raw (a date, an amount, weekdays, time windows);
this module writes them the way the locale does — ``7 Dec 2026`` / ``7 dic
2026``, ``$200.00`` / ``200,00 €``, ``Mon, Tue, and Wed`` / ``Montag, Dienstag
und Mittwoch`` — and fills them into the message after ``translate`` (the web
layer's gettext; the identity here) turned it into the customer's language.
Nothing is concatenated: lists, dates and amounts are Babel's. Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from .messages import REJECTIONS
from .money import babel_locale, format_money
from .terms import WEEKDAYS, Window

Translate = Callable[[str], str]

#: English keeps the short day names, day-month-year and lists without a serial comma
#: of the engine's first words (``7 Dec 2026``, ``Mon, Tue and Wed``).
_EN_DATE = "d MMM y"
_LIST_LOCALE = {"en": "en_GB"}


@dataclass(frozen=True)
class Percent:
    """A percentage as a message shows it (``10`` is ``10%``, ``10 %`` in German)."""

    value: Decimal


def identity(text: str) -> str:
    return text


def show_date(day: date, locale: str = "en") -> str:
    """``7 Dec 2026`` in English, the locale's medium date elsewhere (``7 dic 2026``)."""
    loc = babel_locale(locale)
    pattern = _EN_DATE if loc.language == "en" else "medium"
    return str(format_date(day, pattern, locale=loc))


@lru_cache(maxsize=32)
def _day_names(locale: str) -> dict[str, str]:
    loc = babel_locale(locale)
    names = get_day_names("abbreviated" if loc.language == "en" else "wide", locale=loc)
    return {key: str(names[i]) for i, key in enumerate(WEEKDAYS)}


def show_list(words: Sequence[str], locale: str = "en") -> str:
    """``a, b and c`` in the locale's words (``a, b y c``, ``a, b und c``)."""
    loc = babel_locale(locale)
    return str(format_list(list(words), locale=_LIST_LOCALE.get(str(loc), loc)))


def show_days(days: Sequence[str], locale: str = "en") -> str:
    """Weekday keys (``mon``…) in week order as the locale lists them."""
    names = _day_names(locale)
    return show_list([names[d] for d in WEEKDAYS if d in days], locale)


def show_hours(windows: Sequence[Window], locale: str = "en") -> str:
    """``09:00–12:00 and 14:00–17:00``, with the locale's list words."""
    return show_list([f"{w.start:%H:%M}–{w.end:%H:%M}" for w in sorted(windows)], locale)


def show_value(value: object, locale: str, currency: str) -> str:
    """One value of a message, formatted for ``locale`` (amounts in ``currency``)."""
    if isinstance(value, Percent):
        return str(format_percent(value.value / 100, locale=babel_locale(locale)))
    if isinstance(value, date):
        return show_date(value, locale)
    if isinstance(value, Decimal):
        return format_money(value, currency, locale)
    if isinstance(value, int):
        return str(format_decimal(value, locale=babel_locale(locale)))
    if isinstance(value, tuple) and value and isinstance(value[0], Window):
        return show_hours(value, locale)
    if isinstance(value, tuple | frozenset):
        return show_days(tuple(str(v) for v in value), locale)
    return str(value)


def rejection_key(reason: str, variant: str | None = None) -> str:
    return f"{reason}.{variant}" if variant else reason


def rejection_text(reason: str, variant: str | None = None,
                   values: Mapping[str, object] | None = None, *, locale: str = "en",
                   currency: str = "USD", translate: Translate = identity) -> str:
    """The customer's message for ``reason`` in ``locale``, its values filled in."""
    template = translate(REJECTIONS[rejection_key(reason, variant)])
    shown = {k: show_value(v, locale, currency) for k, v in (values or {}).items()}
    return template.format(**shown)
