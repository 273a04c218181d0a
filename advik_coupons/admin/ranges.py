"""The tracking page's time range: 7, 30 or 90 days, 12 months, or custom from/to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

PRESETS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days",
           "12m": "Last 12 months"}
DEFAULT = "30d"
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class DateRange:
    key: str
    start: date
    end: date
    interval: str
    error: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query_args(self) -> dict[str, str]:
        if self.key == "custom":
            return {"range": "custom", "from": self.start.isoformat(),
                    "to": self.end.isoformat()}
        return {"range": self.key}

    @property
    def label(self) -> str:
        if self.key in PRESETS:
            return PRESETS[self.key]
        return f"{self.start.day} {self.start:%b %Y} – {self.end.day} {self.end:%b %Y}"


def _interval_for(days: int) -> str:
    if days <= 92:
        return "day"
    if days <= 366:
        return "week"
    return "month"


def preset(key: str, today: date) -> DateRange:
    if key == "12m":
        first = date(today.year - 1, today.month, 1)
        start = date(first.year + (first.month // 12), first.month % 12 + 1, 1)
        return DateRange("12m", start, today, "month")
    days = int(key.removesuffix("d"))
    return DateRange(key, today - timedelta(days=days - 1), today, "day")


def parse_range(args: Mapping[str, str], today: date) -> DateRange:
    """The range asked for in the query string; a bad custom range falls back with an error."""
    key = args.get("range", DEFAULT)
    if key in PRESETS:
        return preset(key, today)
    if key != "custom":
        return preset(DEFAULT, today)
    try:
        start = date.fromisoformat(args.get("from", "").strip())
        end = date.fromisoformat(args.get("to", "").strip())
    except ValueError:
        return _fallback(today, "Enter both dates like 2026-12-31.")
    if end < start:
        return _fallback(today, "The end date is before the start date.")
    if (end - start).days + 1 > MAX_DAYS:
        return _fallback(today, "Choose at most five years.")
    return DateRange("custom", start, end, _interval_for((end - start).days + 1))


def _fallback(today: date, error: str) -> DateRange:
    default = preset(DEFAULT, today)
    return DateRange(default.key, default.start, default.end, default.interval, error)


def period_label(period: str, interval: str) -> str:
    """``2026-11-22`` → ``22 Nov``; a week → ``w/c 16 Nov``; ``2026-11`` → ``Nov 2026``."""
    if interval == "month":
        day = date.fromisoformat(period + "-01")
        return f"{day:%b %Y}"
    day = date.fromisoformat(period)
    text = f"{day.day} {day:%b}"
    return f"w/c {text}" if interval == "week" else text
