"""``GET /coupons/<id>/history``: who changed a coupon, when, and each field's before → after."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select

from ..services.serialize import history_json
from ..state import get_state
from ..store.models import CouponHistory
from ..store.queries import get_coupon
from .args import page_args, page_json, paginated


def coupon_history(coupon_id: int) -> Any:
    get_coupon(get_state().session, coupon_id)
    page, per_page = page_args()
    stmt = (select(CouponHistory).where(CouponHistory.coupon_id == coupon_id)
            .order_by(CouponHistory.id.desc()))
    rows, total = paginated(stmt, page, per_page)
    return jsonify(page_json([history_json(r) for r in rows], page, per_page, total))
