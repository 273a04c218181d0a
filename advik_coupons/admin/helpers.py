"""What the admin templates use: money and dates in the site's terms, labels, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from ..domain import messages
from ..domain.coupon import BY_NAME, ordered
from ..domain.money import format_money
from ..domain.summary import discount_phrase
from ..domain.values import hours_phrase
from ..state import get_state


def db() -> Session:
    """The extension's scoped session, typed as the ``Session`` it stands in for."""
    return get_state().session  # type: ignore[return-value]


def money(value: Decimal | None) -> str:
    return format_money(value if value is not None else Decimal("0"), get_state().currency)


def local_time(moment: datetime | None, with_time: bool = True) -> str:
    """A stored UTC moment in the site's time zone, e.g. ``3 Dec 2026, 14:05``."""
    if moment is None:
        return "—"
    local = moment.astimezone(get_state().tz)
    text = f"{local.day} {local:%b %Y}"
    return f"{text}, {local:%H:%M}" if with_time else text


def short_date(day: date | None) -> str:
    return "—" if day is None else f"{day.day} {day:%b %Y}"


def discount_label(discount_type: str, value: Decimal) -> str:
    return discount_phrase(discount_type, value, money)


def choice_labels(field: str, value: Any) -> list[str]:
    """A ``set`` field's chosen values as the form labels them, in order."""
    spec = BY_NAME[field]
    return [spec.choice_labels.get(c, c) for c in ordered(spec, value)]


def percent(rate: Decimal | None) -> str:
    """``0.2500`` → ``25 %``; no rate (nothing to divide) → ``—``."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1')).normalize():f} %"


def template_helpers() -> dict[str, Any]:
    """What every admin template may use: money and dates in the site's terms, labels."""
    return {"money": money, "local_time": local_time, "short_date": short_date,
            "discount_label": discount_label, "choice_labels": choice_labels,
            "hours_label": hours_phrase, "percent": percent,
            "STATUS_LABELS": messages.STATUS_LABELS,
            "AUDIENCE_LABELS": messages.AUDIENCE_LABELS,
            "BOOKING_TYPE_LABELS": messages.BOOKING_TYPE_LABELS,
            "SCOPE_LABELS": messages.SCOPE_LABELS, "DAY_LABELS": messages.DAY_LABELS,
            "REASON_LABELS": messages.REASON_LABELS, "site_tz": str(get_state().tz)}


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_item(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.per_page)


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument, clamped; junk falls back to the default."""
    raw = request.args.get(name, "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(low, min(high, value))


def page_url_args(**changes: Any) -> dict[str, Any]:
    """The current query string with some arguments changed (for paging links)."""
    args: dict[str, Any] = dict(request.view_args or {})
    args.update({k: v for k, v in request.args.items() if v != ""})
    args.update(changes)
    return {k: v for k, v in args.items() if v is not None}
