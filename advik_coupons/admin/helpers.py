"""What the admin templates use: money and dates in the site's terms, labels, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from ..extension import get_state
from ..money import format_money
from ..rules import WEEKDAYS
from .blueprint import bp


def db() -> Session:
    """The extension's scoped session, typed as the ``Session`` it stands in for."""
    return get_state().session  # type: ignore[return-value]


STATUS_LABELS = {"active": "Active", "inactive": "Inactive", "scheduled": "Scheduled",
                 "expired": "Expired", "used_up": "Used up", "archived": "Archived"}
AUDIENCE_LABELS = {"all": "All customers", "existing": "Existing customers only",
                   "new": "New customers only"}
BOOKING_TYPE_LABELS = {"one_time": "One-time", "recurring": "Recurring"}
SCOPE_LABELS = {"first": "First booking of a series only", "all": "Every booking in a series"}
DAY_LABELS = {d: d.capitalize() for d in WEEKDAYS}


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
    if discount_type == "percent":
        return f"{value.normalize():f} % off"
    return f"{money(value)} off"


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"money": money, "local_time": local_time, "short_date": short_date,
            "discount_label": discount_label, "STATUS_LABELS": STATUS_LABELS,
            "AUDIENCE_LABELS": AUDIENCE_LABELS, "BOOKING_TYPE_LABELS": BOOKING_TYPE_LABELS,
            "SCOPE_LABELS": SCOPE_LABELS, "DAY_LABELS": DAY_LABELS,
            "site_tz": str(get_state().tz)}


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
