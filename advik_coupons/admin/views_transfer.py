"""Coupons out and in as CSV: the export of every coupon, and an import that writes
nothing unless every row passes (each problem is shown with its line)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..domain.errors import DuplicateCode
from ..services.importing import import_coupons
from ..state import get_state
from ..store.models import Coupon
from ..store.queries import primary_codes
from ..web.coupon_csv import (
    COLUMNS,
    MAX_BYTES,
    ImportProblem,
    ImportRejected,
    export_row,
    read_import,
)
from ..web.csv import csv_response
from .auth import actor
from .forms import validate_or_400
from .helpers import db


class ImportForm(FlaskForm):
    file = FileField("CSV file", description="The columns of the export; name and "
                                             "discount_value are needed, the rest may be "
                                             "left out (their defaults apply).")


def coupons_csv() -> Response:
    """Every coupon that is not archived (``?archived=1``: with the archived ones)."""
    session = db()
    stmt = select(Coupon).order_by(Coupon.id)
    if not request.args.get("archived"):
        stmt = stmt.where(Coupon.archived_at.is_(None))
    coupons = list(session.execute(stmt).scalars())
    codes = primary_codes(session, [c.id for c in coupons])
    tz = get_state().tz
    rows = [export_row(c, codes.get(c.id), tz) for c in coupons]
    return csv_response("coupons.csv", COLUMNS, rows)


def _read(form: ImportForm) -> tuple[str | None, list[ImportProblem]]:
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, [ImportProblem(0, "file", "Choose a CSV file.")]
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return None, [ImportProblem(0, "file", f"The file is larger than "
                                               f"{MAX_BYTES // 1_000_000} MB.")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return None, [ImportProblem(0, "file", "Save the file as UTF-8 CSV.")]


def coupons_import() -> Any:
    form = ImportForm()
    problems: list[ImportProblem] = []
    if form.is_submitted():
        validate_or_400(form)
        text, problems = _read(form)
        if text is not None:
            try:
                rows = read_import(text, db(), get_state().tz)
                made = import_coupons(rows, actor=actor())
            except ImportRejected as exc:
                problems = exc.problems
            except DuplicateCode:
                problems = [ImportProblem(0, "code", "A code in the file was taken meanwhile; "
                                                     "nothing was imported. Try again.")]
            else:
                flash(f"{len(made)} coupon{'s' if len(made) != 1 else ''} imported.", "success")
                return redirect(url_for("advik_admin.coupon_list"))
    return render_template("admin/coupon_import.html", form=form, problems=problems,
                           columns=COLUMNS), 400 if problems else 200
