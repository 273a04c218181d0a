"""How coupons and redemptions look on the wire (DESIGN §4.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Coupon, CouponCode, Redemption
from .money import as_str
from .rules import BOOKING_TYPES, WEEKDAYS


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def split_set(value: str, order: tuple[str, ...]) -> list[str]:
    chosen = {part for part in value.split(",") if part}
    return [item for item in order if item in chosen]


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
    """Every field of DESIGN §1. ``code`` is the primary code (loaded by the caller)."""
    data: dict[str, Any] = {
        "id": coupon.id,
        "name": coupon.name,
        "description": coupon.description or "",
        "code": code,
        "discount_type": coupon.discount_type,
        "discount_value": as_str(coupon.discount_value),
        "audience": coupon.audience,
        "starts_at": iso(coupon.starts_at),
        "ends_at": iso(coupon.ends_at),
        "days_of_week": split_set(coupon.days_of_week, WEEKDAYS),
        "max_uses": coupon.max_uses,
        "once_per_customer": bool(coupon.once_per_customer),
        "min_subtotal": as_str(coupon.min_subtotal),
        "max_subtotal": as_str(coupon.max_subtotal),
        "booking_types": split_set(coupon.booking_types, BOOKING_TYPES),
        "recurring_scope": coupon.recurring_scope,
        "active": bool(coupon.active),
        "archived": coupon.archived_at is not None,
        "used": coupon.used,
        "created_at": iso(coupon.created_at),
        "updated_at": iso(coupon.updated_at),
    }
    if now is not None:
        data["status"] = coupon_status(coupon, now)
    return data


def redemption_json(r: Redemption) -> dict[str, Any]:
    return {
        "id": r.id,
        "coupon_id": r.coupon_id,
        "code": r.code,
        "booking_ref": r.booking_ref,
        "series_ref": r.series_ref,
        "occurrence": r.occurrence,
        "email": r.email,
        "booking_date": r.booking_date.isoformat() if r.booking_date else None,
        "booking_type": r.booking_type,
        "subtotal": as_str(r.subtotal),
        "discount": as_str(r.discount),
        "tax": as_str(r.tax),
        "total": as_str(r.total),
        "status": r.status,
        "source": r.source,
        "created_at": iso(r.created_at),
        "cancelled_at": iso(r.cancelled_at),
    }


def code_json(c: CouponCode) -> dict[str, Any]:
    return {"code": c.code, "single_use": bool(c.single_use), "batch_id": c.batch_id,
            "used": c.used_at is not None, "used_at": iso(c.used_at)}
