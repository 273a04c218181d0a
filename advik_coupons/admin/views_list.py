"""The coupon list, and the row actions: activate/deactivate and delete/archive."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..services import coupons as coupon_service
from ..services.serialize import coupon_status
from ..store.queries import get_coupon, primary_code, primary_codes
from .auth import actor
from .forms import ActionForm, validate_or_400
from .helpers import Page, db, int_arg, page_url_args
from .listing import MAX_QUERY, SORTS, STATUSES, count_rows, filtered, page_rows, sorted_by

PER_PAGE = 25


def coupon_list() -> str:
    session = db()
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    sort = request.args.get("sort", "created")
    sort = sort if sort in SORTS else "created"
    per_page = int_arg("per_page", PER_PAGE, 5, 100)
    now = datetime.now(UTC)
    stmt = filtered(session, query=query, status=status, now=now)
    total = count_rows(session, stmt)
    page = Page(int_arg("page", 1, 1, 1_000_000), per_page, total)
    if page.number > page.pages:
        page = Page(page.pages, per_page, total)
    rows = page_rows(session, sorted_by(stmt, sort), page.offset, per_page)
    codes = primary_codes(session, [c.id for c in rows])
    items = [{"coupon": c, "code": codes.get(c.id, ""), "status": coupon_status(c, now)}
             for c in rows]
    return render_template("admin/coupon_list.html", items=items, page=page, q=query,
                           status=status, sort=sort, statuses=STATUSES, sorts=SORTS,
                           page_url_args=page_url_args)


def _back_to(default: str) -> str:
    """Where a row action returns: the page it came from when that is an admin page."""
    target = request.form.get("next", "")
    if target.startswith(url_for("advik_admin.coupon_list")) and "//" not in target:
        return target
    return default


def coupon_toggle(coupon_id: int) -> Response:
    validate_or_400(ActionForm())
    session = db()
    coupon = get_coupon(session, coupon_id)
    if coupon.archived_at is not None:
        abort(409, description="An archived coupon cannot be activated.")
    code = primary_code(session, coupon_id)
    now_active = not coupon.active
    coupon_service.set_active(coupon_id, now_active, actor=actor())
    flash(f"{code} is now {'active' if now_active else 'inactive'}.", "success")
    return redirect(_back_to(url_for("advik_admin.coupon_list")))


def coupon_delete(coupon_id: int) -> Response:
    validate_or_400(ActionForm())
    session = db()
    get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    archived = coupon_service.delete_coupon(coupon_id, actor=actor())
    if archived:
        flash(f"{code} has bookings, so it was archived (its history and codes are kept).",
              "success")
    else:
        flash(f"{code} was deleted.", "success")
    return redirect(url_for("advik_admin.coupon_list"))


