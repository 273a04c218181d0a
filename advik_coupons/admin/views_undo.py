"""Undo from the admin: restore an archived coupon, duplicate one, cancel a redemption.

Each calls the same service as the API (:mod:`..services.coupons`,
:mod:`..services.cancelling`), so the effects — the use given back, the
ledger, the notices, the history line — are the same wherever it is done.
Cancelling asks first: ``GET`` shows what will happen, ``POST`` does it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..domain.errors import Conflict
from ..services import coupons as coupon_service
from ..services.cancelling import cancel
from ..store.models import Redemption
from ..store.queries import get_coupon, primary_code
from .auth import actor
from .forms import ActionForm, validate_or_400
from .helpers import db


def coupon_restore(coupon_id: int) -> Response:
    validate_or_400(ActionForm())
    code = primary_code(db(), coupon_id)
    try:
        coupon_service.restore_coupon(coupon_id, actor=actor())
    except Conflict as exc:
        abort(409, description=exc.message)
    flash(f"{code} was restored. It is inactive until you activate it.", "success")
    return redirect(url_for("advik_admin.coupon_view", coupon_id=coupon_id))


def coupon_duplicate(coupon_id: int) -> Response:
    validate_or_400(ActionForm())
    code = primary_code(db(), coupon_id)
    copy = coupon_service.duplicate_coupon(coupon_id, actor=actor())
    flash(f"Copy of {code} created as {primary_code(db(), copy.id)}, inactive. "
          "Check its terms, then activate it.", "success")
    return redirect(url_for("advik_admin.coupon_edit", coupon_id=copy.id))


def _redemption(coupon_id: int, redemption_id: int) -> Redemption:
    row = db().get(Redemption, redemption_id)
    if row is None or row.coupon_id != coupon_id:
        abort(404, description="This coupon has no such booking.")
    return row


def redemption_cancel(coupon_id: int, redemption_id: int) -> Any:
    """``GET`` the confirm step; ``POST`` cancel (the use comes back, as with the API)."""
    coupon = get_coupon(db(), coupon_id)
    row = _redemption(coupon_id, redemption_id)
    form = ActionForm()
    back = url_for("advik_admin.bookings", coupon_id=coupon_id)
    if not form.is_submitted():
        return render_template("admin/cancel_confirm.html", coupon=coupon, row=row,
                               code=primary_code(db(), coupon_id), form=form, back=back)
    validate_or_400(form)
    _row, changed = cancel(redemption_id, actor=actor())
    if changed:
        flash(f"Booking {row.booking_ref} was cancelled; its use of the coupon was given back.",
              "success")
    else:
        flash(f"Booking {row.booking_ref} was already cancelled; nothing changed.", "info")
    return redirect(back)
