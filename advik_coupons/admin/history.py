"""A coupon's history as its page shows it: who, when, what, each field's before → after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.coupon import BY_NAME
from ..domain.messages import HISTORY_ACTIONS, HISTORY_FIELDS
from ..services.serialize import actor_parts
from ..store.history import coupon_history
from ..store.models import CouponHistory
from .helpers import db, local_time

SHOWN = 50


@dataclass(frozen=True)
class Line:
    when: str
    who: str
    via: str
    action: str
    changes: list[tuple[str, str, str]]


def value_text(value: Any) -> str:
    """A wire value as a short text: lists joined, nothing as a dash, flags as words."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {value_text(v)}" for k, v in value.items())
    return str(value)


def field_text(field: str, value: Any) -> str:
    """A field's wire value as the form names it: choices by their labels, moments local."""
    spec = BY_NAME.get(field)
    if spec is not None and spec.choice_labels:
        if isinstance(value, list):
            return value_text([spec.choice_labels.get(v, v) for v in value])
        if isinstance(value, str):
            return spec.choice_labels.get(value, value)
    if spec is not None and spec.kind == "moment" and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return value_text(value)


def _label(field: str) -> str:
    spec = BY_NAME.get(field)
    return spec.label if spec is not None else HISTORY_FIELDS.get(field, field)


def line(row: CouponHistory) -> Line:
    via, who = actor_parts(row.actor)
    changes = [(_label(k), field_text(k, v[0]), field_text(k, v[1]))
               for k, v in sorted((row.changes or {}).items())
               if isinstance(v, list) and len(v) == 2]
    return Line(when=local_time(row.created_at), who=who,
                via={"api": "API token", "admin": "admin"}.get(via, via),
                action=HISTORY_ACTIONS.get(row.action, row.action), changes=changes)


def recent(coupon_id: int) -> list[Line]:
    """The newest :data:`SHOWN` lines of a coupon's history."""
    return [line(r) for r in coupon_history(db(), coupon_id, limit=SHOWN)]
