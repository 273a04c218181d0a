"""Code batches: N single-use codes for a coupon, their status, and a CSV download."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from ..domain.errors import InvalidRequest, NotFound
from ..services import coupons as coupon_service
from ..services.serialize import iso
from ..store.models import CodeBatch, CouponCode
from ..store.queries import get_coupon, primary_code
from ..web.csv import csv_response
from .auth import actor
from .forms import validate_or_400
from .helpers import Page, db, int_arg, page_url_args

PER_PAGE = 100


class BatchForm(FlaskForm):
    count = IntegerField("How many codes", [InputRequired("Enter a number."),
                                            NumberRange(1, coupon_service.MAX_BATCH)],
                         default=100,
                         description=f"1 to {coupon_service.MAX_BATCH:,}. Each can be used once.")
    prefix = StringField("Prefix (optional)", [Length(max=20)],
                         description="E.g. WELCOME gives codes like WELCOME-7K3MPQ2X.")


def _batch(coupon_id: int, batch_id: int) -> CodeBatch:
    batch = db().get(CodeBatch, batch_id)
    if batch is None or batch.coupon_id != coupon_id:
        raise NotFound("batch of this coupon", batch_id)
    return batch


def batches(coupon_id: int) -> Any:
    session = db()
    coupon = get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    form = BatchForm()
    status = 200
    if form.is_submitted():
        if coupon.archived_at is not None:
            abort(409, description="An archived coupon takes no new codes.")
        if validate_or_400(form):
            try:
                batch, codes = coupon_service.create_batch(coupon_id, int(form.count.data or 0),
                                                           form.prefix.data or "",
                                                           actor=actor())
            except InvalidRequest as exc:
                for name, message in exc.errors.items():
                    getattr(form, name).errors = [message]
                status = 400
            else:
                flash(f"{len(codes)} single-use codes created.", "success")
                return redirect(url_for("advik_admin.batch_view", coupon_id=coupon_id,
                                        batch_id=batch.id))
        else:
            status = 400
    used = func.count(CouponCode.used_at)
    rows = session.execute(
        select(CodeBatch, used).join(CouponCode, CouponCode.batch_id == CodeBatch.id,
                                     isouter=True)
        .where(CodeBatch.coupon_id == coupon_id).group_by(CodeBatch.id)
        .order_by(CodeBatch.id.desc())).all()
    return render_template("admin/batches.html", coupon=coupon, code=code, form=form,
                           batches=[{"batch": b, "used": n} for b, n in rows]), status


def batch_view(coupon_id: int, batch_id: int) -> str:
    session = db()
    coupon = get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    batch = _batch(coupon_id, batch_id)
    used = session.execute(select(func.count(CouponCode.used_at))
                           .where(CouponCode.batch_id == batch_id)).scalar_one()
    page = Page(int_arg("page", 1, 1, 1_000_000), PER_PAGE, batch.count)
    codes = list(session.execute(select(CouponCode).where(CouponCode.batch_id == batch_id)
                                 .order_by(CouponCode.id).offset(page.offset)
                                 .limit(PER_PAGE)).scalars())
    return render_template("admin/batch_view.html", coupon=coupon, code=code, batch=batch,
                           used=used, codes=codes, page=page, page_url_args=page_url_args)


def batch_csv(coupon_id: int, batch_id: int) -> Response:
    session = db()
    get_coupon(session, coupon_id)
    _batch(coupon_id, batch_id)
    rows = [[row.code, "used" if row.used_at else "unused", iso(row.used_at) or ""]
            for row in session.execute(select(CouponCode.code, CouponCode.used_at)
                                       .where(CouponCode.batch_id == batch_id)
                                       .order_by(CouponCode.id))]
    return csv_response(f"coupon-{coupon_id}-batch-{batch_id}.csv", ["code", "status", "used_at"],
                        rows)
