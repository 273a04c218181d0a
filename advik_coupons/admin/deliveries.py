"""Webhook and Slack deliveries: the outbox as admins see it, and Retry for failed ones.

``GET /admin/deliveries`` lists recent notices (newest first; ``?status=`` and
``?coupon=`` filter) with their status, attempts, last answer and error.
``POST /admin/deliveries/<id>/retry`` (CSRF token) sends a ``failed`` or
``disabled`` notice again from a fresh schedule; retrying a ``disabled`` one
re-enables its endpoint (see :func:`advik_coupons.events.delivery.retry`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from ..events import delivery
from ..state import get_state
from ..store.models import HookEndpoint, OutboxMessage
from ..store.queries import primary_codes
from .forms import ActionForm, validate_or_400
from .helpers import Page, db, int_arg, page_url_args

PER_PAGE = 50
STATUSES = {"pending": "Pending", "sending": "Sending", "delivered": "Delivered",
            "failed": "Failed", "disabled": "Endpoint disabled"}
#: Delivery status → the admin stylesheet's badge colour.
BADGES = {"pending": "scheduled", "sending": "expired", "delivered": "active",
          "failed": "used_up", "disabled": "archived"}


def event_label(event_type: str) -> str:
    """``coupon.expiring_soon`` → "Expiring soon" (every type in channels.EVENT_TYPES)."""
    return event_type.removeprefix("coupon.").replace("_", " ").capitalize()


def shown_status(row: OutboxMessage, now: datetime) -> str:
    if row.status == "pending" and row.claimed_until is not None and row.claimed_until > now:
        return "sending"
    return row.status


def deliveries() -> str:
    session = db()
    status = request.args.get("status", "")
    status = status if status in STATUSES and status != "sending" else ""
    coupon_id = int_arg("coupon", 0, 0, 2**31 - 1)
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if coupon_id:
        stmt = stmt.where(OutboxMessage.coupon_id == coupon_id)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = Page(int_arg("page", 1, 1, 1_000_000), PER_PAGE, int(total))
    if page.number > page.pages:
        page = Page(page.pages, PER_PAGE, int(total))
    rows = list(session.execute(stmt.order_by(OutboxMessage.id.desc())
                                .limit(PER_PAGE).offset(page.offset)).scalars())
    now = datetime.now(UTC)
    items: list[dict[str, Any]] = []
    for row in rows:
        shown = shown_status(row, now)
        items.append({"row": row, "status": shown, "label": STATUSES.get(shown, shown),
                      "badge": BADGES.get(shown, "inactive"),
                      "event": event_label(row.event_type),
                      "retryable": row.status in {"failed", "disabled"}})
    disabled = list(session.execute(select(HookEndpoint).order_by(HookEndpoint.channel))
                    .scalars())
    codes = primary_codes(session, sorted({r.coupon_id for r in rows if r.coupon_id}
                                          | ({coupon_id} if coupon_id else set())))
    return render_template("admin/deliveries.html", items=items, page=page, status=status,
                           coupon_id=coupon_id, statuses=STATUSES, disabled=disabled,
                           codes=codes, configured=bool(get_state().channels),
                           page_url_args=page_url_args,
                           max_attempts=delivery.MAX_ATTEMPTS)


def delivery_retry(row_id: int) -> Response:
    validate_or_400(ActionForm())
    session = db()
    row = session.get(OutboxMessage, row_id)
    if row is None:
        abort(404, description=f"No delivery with id {row_id}.")
    if delivery.retry(current_app._get_current_object(), row_id):  # type: ignore[attr-defined]
        flash(f"Delivery {row_id} will be sent again shortly.", "success")
    else:
        flash(f"Delivery {row_id} is not failed; nothing to retry.", "error")
    return redirect(url_for("advik_admin.deliveries", status=request.args.get("status") or None))
