"""How coupons and redemptions look on the wire (``docs/contracts.md`` §4.2).

A coupon answer is every field of :data:`~advik_coupons.domain.coupon.FIELDS`,
each written by its kind (money as a string with two decimals, moments as
ISO 8601 UTC with ``Z``, sets as lists in their choices' order), plus the
read-only ``id``, ``archived``, ``used`` and time stamps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.coupon import FIELDS, FieldSpec, ordered
from ..domain.money import as_str
from ..store.models import Coupon, CouponCode, Redemption

#: A redemption's fields, in the order of the API's answers and the CSV downloads.
REDEMPTION_FIELDS: tuple[str, ...] = (
    "id", "coupon_id", "code", "booking_ref", "series_ref", "occurrence", "email",
    "booking_date", "booking_time", "booking_type", "subtotal", "discount", "tax", "total",
    "status", "source", "created_at", "cancelled_at",
)
#: The columns of a coupon's bookings CSV.
REDEMPTION_CSV: tuple[str, ...] = tuple(f for f in REDEMPTION_FIELDS if f != "coupon_id")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def field_json(spec: FieldSpec, value: Any) -> Any:
    """One coupon field's value on the wire."""
    if spec.kind == "money":
        return None if value is None else as_str(value)
    if spec.kind == "ids":
        return sorted(value or ())
    if spec.kind == "emails":
        return list(value or ())
    if spec.kind == "hours":
        return [w.as_json() for w in value or ()]
    if spec.kind == "moment":
        return iso(value)
    if spec.kind == "set":
        return ordered(spec, value)
    if spec.kind == "flag":
        return bool(value)
    if spec.kind == "longtext":
        return value or ""
    return value


def coupon_status(coupon: Coupon, now: datetime) -> str:
    """One word for the list's badge: archived, inactive, scheduled, expired, used_up, active."""
    if coupon.archived_at is not None:
        return "archived"
    if not coupon.active:
        return "inactive"
    if coupon.starts_at > now:
        return "scheduled"
    if coupon.ends_at is not None and coupon.ends_at < now:
        return "expired"
    if coupon.max_uses is not None and coupon.used >= coupon.max_uses:
        return "used_up"
    return "active"


def coupon_json(coupon: Coupon, code: str | None, now: datetime | None = None) -> dict[str, Any]:
    """Every field of the coupon. ``code`` is the primary code (loaded by the caller)."""
    data: dict[str, Any] = {"id": coupon.id}
    for spec in FIELDS:
        value = code if spec.name == "code" else getattr(coupon, spec.name)
        data[spec.name] = field_json(spec, value)
    data.update(archived=coupon.archived_at is not None, used=coupon.used,
                created_at=iso(coupon.created_at), updated_at=iso(coupon.updated_at))
    if now is not None:
        data["status"] = coupon_status(coupon, now)
    return data


def redemption_json(r: Redemption, currency: str) -> dict[str, Any]:
    """The redemption on the wire, its amounts with ``currency``'s decimals."""
    values: dict[str, Any] = {name: getattr(r, name) for name in REDEMPTION_FIELDS}
    for money in ("subtotal", "discount", "tax", "total"):
        values[money] = as_str(values[money], currency)
    values["booking_date"] = r.booking_date.isoformat() if r.booking_date else None
    values["booking_time"] = f"{r.booking_time:%H:%M}" if r.booking_time else None
    values["created_at"], values["cancelled_at"] = iso(r.created_at), iso(r.cancelled_at)
    if r.items is not None:
        values["items"] = r.items
    return values


def redemption_row(r: Redemption, currency: str) -> list[Any]:
    """A redemption as a row of the bookings CSV (:data:`REDEMPTION_CSV`)."""
    data = redemption_json(r, currency)
    return [data[k] for k in REDEMPTION_CSV]


def code_json(c: CouponCode) -> dict[str, Any]:
    return {"code": c.code, "single_use": bool(c.single_use), "batch_id": c.batch_id,
            "used": c.used_at is not None, "used_at": iso(c.used_at)}


def actor_parts(actor: str) -> tuple[str, str]:
    """``admin:ann@x.com`` → ``("admin", "ann@x.com")``; ``api:shop`` → ``("api", "shop")``."""
    via, _, who = actor.partition(":")
    return (via, who) if who else ("system", actor)


def history_json(row: Any) -> dict[str, Any]:
    """One line of a coupon's history on the wire."""
    via, who = actor_parts(row.actor)
    return {"id": row.id, "coupon_id": row.coupon_id, "at": iso(row.created_at),
            "actor": row.actor, "who": who, "via": via, "action": row.action,
            "changes": row.changes or {}}
