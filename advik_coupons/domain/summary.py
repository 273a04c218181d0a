"""A coupon in one line, as a site owner would say it:
"20 % off deep, Mon–Fri mornings, once per customer, until 31 Dec".

Made here once from a coupon's values (the stored coupon or a form being
filled in), so the coupon's page, the form's live line and its server-drawn
first version always read alike. Pure: the money format, the time zone and
today are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from .messages import DAY_LABELS, join_words
from .terms import WEEKDAYS, Window
from .values import hours_phrase

AUDIENCE_PHRASES: dict[str, str] = {
    "new": "first-time customers only", "existing": "returning customers only",
    "lapsed": "customers back after {days} days", "loyal": "regulars with {count}+ bookings",
}
NOON, EVENING = time(12, 0), time(17, 0)


def discount_phrase(discount_type: str, value: Decimal | None,
                    money: Callable[[Decimal], str]) -> str:
    """``20 % off`` or ``$5.00 off`` (the one way the admin writes a discount)."""
    if value is None:
        return "A discount"
    if discount_type == "percent":
        return f"{value.normalize():f} % off"
    return f"{money(value)} off"


def days_phrase(days: Iterable[str]) -> str:
    """``Mon–Fri`` for a run of three or more days, else ``Sat and Sun``; all days: ``""``."""
    picked = [d for d in WEEKDAYS if d in set(days)]
    if not picked or len(picked) == len(WEEKDAYS):
        return ""
    spans: list[list[str]] = []
    for day in picked:
        if spans and WEEKDAYS.index(day) == WEEKDAYS.index(spans[-1][-1]) + 1:
            spans[-1].append(day)
        else:
            spans.append([day])
    words = [f"{DAY_LABELS[s[0]]}–{DAY_LABELS[s[-1]]}" if len(s) >= 3
             else join_words([DAY_LABELS[d] for d in s]) for s in spans]
    return join_words(words)


def hours_word(windows: Iterable[Window]) -> str:
    """``mornings`` / ``afternoons`` / ``evenings`` when the windows say so, else the times."""
    found = sorted(windows)
    if not found:
        return ""
    if all(w.end <= NOON for w in found):
        return "mornings"
    if all(w.start >= EVENING for w in found):
        return "evenings"
    if all(w.start >= NOON and w.end <= EVENING for w in found):
        return "afternoons"
    return hours_phrase(found)


def _day(moment: datetime, tz: tzinfo, today: date) -> str:
    local = moment.astimezone(tz).date()
    return f"{local.day} {local:%b}" + ("" if local.year == today.year else f" {local.year}")


def describe(values: Mapping[str, Any], *, money: Callable[[Decimal], str], tz: tzinfo,
             today: date) -> str:
    """The coupon's one line, from the field list's values."""
    head = discount_phrase(values.get("discount_type", "percent"), values.get("discount_value"),
                           money)
    services = sorted(values.get("services") or ())
    if services:
        head += " " + join_words(services)
    when = " ".join(p for p in (days_phrase(values.get("days_of_week") or ()),
                                hours_word(values.get("hours") or ())) if p)
    parts = [head] + ([when] if when else [])
    types = set(values.get("booking_types") or ())
    if types == {"recurring"}:
        parts.append("recurring bookings only")
    elif types == {"one_time"}:
        parts.append("one-time bookings only")
    audience = values.get("audience") or "all"
    if audience in AUDIENCE_PHRASES:
        parts.append(AUDIENCE_PHRASES[audience].format(
            days=values.get("audience_days") or "some",
            count=values.get("audience_min_bookings") or "some"))
    per_customer = values.get("uses_per_customer")
    if per_customer:
        parts.append("once per customer" if per_customer == 1
                     else f"{per_customer} times per customer")
    elif values.get("once_per_customer"):
        parts.append("once per customer")
    minimum = values.get("min_subtotal")
    if isinstance(minimum, Decimal) and minimum > 0:
        parts.append(f"on {money(minimum)} or more")
    if values.get("max_uses"):
        parts.append(f"{values['max_uses']} uses in all")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts, datetime) and starts.astimezone(tz).date() > today:
        parts.append(f"from {_day(starts, tz, today)}")
    if isinstance(ends, datetime):
        parts.append(f"until {_day(ends, tz, today)}")
    return ", ".join(parts)
