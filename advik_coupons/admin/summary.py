"""The coupon's one-line summary on its page and in its form (live, and drawn first here).

The words come from :func:`advik_coupons.domain.summary.describe`; this module
only gathers the values — from a stored coupon, or from a form being filled
in, where a field that does not read yet counts as its default.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from ..domain.coupon import FIELDS, FieldSpec
from ..domain.summary import describe
from ..state import get_state
from ..web.forms import CouponForm
from .helpers import money


def _text(values: dict[str, Any]) -> str:
    tz = get_state().tz
    return describe(values, money=money, tz=tz, today=datetime.now(UTC).astimezone(tz).date())


def coupon_summary(coupon: Any) -> str:
    return _text({spec.name: getattr(coupon, spec.name, None) for spec in FIELDS})


def _form_value(form: CouponForm, spec: FieldSpec) -> Any:
    field = form[spec.name]
    try:
        if spec.kind == "moment":
            return field.parse(form.tz)
        if spec.kind in {"ids", "emails", "hours"}:
            return field.read(field.data or "")
    except (ValueError, ValidationError):
        return spec.default
    if spec.kind == "set":
        return frozenset(field.data or ())
    if spec.kind == "flag":
        return bool(field.data)
    if spec.kind in {"money", "count"}:
        return field.data if field.data is not None and not field.errors else spec.default
    return field.data


def form_summary(form: CouponForm) -> str:
    return _text({spec.name: _form_value(form, spec) for spec in FIELDS})


def summary_json() -> Response:
    """``GET /coupons/summary?<the form's fields>``: the line the form shows as it changes."""
    form = CouponForm(formdata=request.args, meta={"csrf": False}, tz=get_state().tz)
    return jsonify({"summary": form_summary(form)})
