"""The JSON API's query arguments: pages, date ranges and choices, each a ``400`` naming
the bad one (a value the API does not know is refused, never silently ignored)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from ..domain.errors import InvalidRequest
from ..services.context import site_today
from ..state import get_state
from ..store.tracking import INTERVALS

MAX_PER_PAGE = 200
#: The largest id in a path (a signed 32-bit integer, every database's INT).
MAX_ID = 2**31 - 1
MAX_RANGE_DAYS = 3700
#: How a yes/no query argument is written.
FLAG_WORDS = ("true", "false", "1", "0")
#: What ``format`` may ask for.
FORMATS = ("json", "csv")


def choice_arg(key: str, choices: tuple[str, ...], default: str) -> str:
    """``?key=`` when it is one of ``choices``; ``default`` when absent."""
    raw = request.args.get(key)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidRequest({key: f"Must be one of {', '.join(choices)}."})
    return raw


def flag_arg(key: str) -> bool:
    """A yes/no query argument (absent: no)."""
    return choice_arg(key, FLAG_WORDS, "false") in {"true", "1"}


def wants_csv() -> bool:
    """``?format=csv`` (or ``json``, the default)."""
    return choice_arg("format", FORMATS, "json") == "csv"


def page_args() -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1 to 200, default 50)."""
    errors: dict[str, str] = {}
    values = []
    for key, default, high in (("page", 1, 1_000_000), ("per_page", 50, MAX_PER_PAGE)):
        raw = request.args.get(key, str(default))
        try:
            number = int(raw)
        except ValueError:
            number = -1
        if not 1 <= number <= high:
            errors[key] = f"Must be a whole number from 1 to {high}."
        values.append(number)
    if errors:
        raise InvalidRequest(errors)
    return values[0], values[1]


def paginated(stmt: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of ``stmt``'s rows and the total count."""
    session = get_state().session
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())
                            ).scalar_one()
    rows = list(session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars())
    return rows, int(total)


def page_json(items: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def range_args() -> tuple[date, date, str]:
    """``from``/``to`` (site-local dates, inclusive; default the last 30 days) and interval."""
    today = site_today(get_state())
    errors: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for key, default in (("from", today - timedelta(days=29)), ("to", today)):
        raw = request.args.get(key)
        try:
            parsed[key] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[key] = "Use a date like 2026-12-07."
    interval = request.args.get("interval", "day")
    if interval not in INTERVALS:
        errors["interval"] = "Must be day, week or month."
    if not errors and parsed["from"] > parsed["to"]:
        errors["from"] = "Must not be after 'to'."
    if not errors and (parsed["to"] - parsed["from"]).days > MAX_RANGE_DAYS:
        errors["to"] = "A range is at most ten years."
    if errors:
        raise InvalidRequest(errors)
    return parsed["from"], parsed["to"], interval
