"""The coupon list's bulk bar: activate, deactivate or archive the ticked coupons."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ..services.bulk import ACTIONS, MAX_BULK, apply_bulk
from .auth import actor
from .forms import ActionForm, validate_or_400

DONE = {"activate": "activated", "deactivate": "deactivated", "archive": "archived"}


def coupon_bulk() -> Response:
    validate_or_400(ActionForm())
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400, description="Choose what to do with the ticked coupons.")
    raw = request.form.getlist("ids")
    if not all(r.isdigit() for r in raw) or len(raw) > MAX_BULK:
        abort(400, description=f"Tick between 1 and {MAX_BULK} coupons.")
    back = request.form.get("next", "")
    target = back if back.startswith(url_for("advik_admin.coupon_list")) and "//" not in back \
        else url_for("advik_admin.coupon_list")
    if not raw:
        flash("Tick the coupons to change first.", "error")
        return redirect(target)
    result = apply_bulk(action, [int(r) for r in raw], actor=actor())
    message = f"{result.changed} coupon{'s' if result.changed != 1 else ''} {DONE[action]}."
    if result.skipped:
        message += f" {result.skipped} already were (or are archived) and stayed as they were."
    flash(message, "success")
    return redirect(target)
