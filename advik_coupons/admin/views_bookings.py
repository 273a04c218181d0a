""""View bookings": the redemptions of a coupon in the tracking range, and their CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import Select, select

from ..api import _csv_safe
from ..api_bookings import REDEMPTION_CSV
from ..extension import get_state
from ..models import Redemption
from ..queries import get_coupon, primary_code
from ..rules import start_of_day
from ..serialize import redemption_json
from ..tracking import coupon_stats
from .auth import admin_required
from .blueprint import bp
from .helpers import Page, db, int_arg, page_url_args
from .ranges import DateRange, parse_range

PER_PAGE = 50
CSV_CHUNK = 1000


def _range() -> DateRange:
    state = get_state()
    return parse_range(request.args, datetime.now(UTC).astimezone(state.tz).date())


def _in_range(coupon_id: int, rng: DateRange) -> Select[Any]:
    """The range's redemptions, newest first, over the ``(coupon_id, created_at…)`` index."""
    tz = get_state().tz
    lo = start_of_day(rng.start, tz).astimezone(UTC)
    hi = start_of_day(rng.end + timedelta(days=1), tz).astimezone(UTC)
    return (select(Redemption)
            .where(Redemption.coupon_id == coupon_id, Redemption.created_at >= lo,
                   Redemption.created_at < hi)
            .order_by(Redemption.created_at.desc(), Redemption.id.desc()))


@bp.get("/coupons/<int:coupon_id>/bookings")
@admin_required
def bookings(coupon_id: int) -> str:
    state = get_state()
    session = db()
    coupon = get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    rng = _range()
    stats = coupon_stats(session, coupon_id, rng.start, rng.end, rng.interval, state.tz)
    page = Page(int_arg("page", 1, 1, 1_000_000), PER_PAGE, stats.bookings + stats.cancelled)
    rows = list(session.execute(_in_range(coupon_id, rng).offset(page.offset)
                                .limit(PER_PAGE)).scalars())
    html = render_template("admin/bookings.html", coupon=coupon, code=code, range=rng,
                           rows=rows, page=page, stats=stats, page_url_args=page_url_args)
    session.rollback()
    return html


@bp.get("/coupons/<int:coupon_id>/bookings.csv")
@admin_required
def bookings_csv(coupon_id: int) -> Response:
    session = db()
    get_coupon(session, coupon_id)
    rng = _range()
    stmt = _in_range(coupon_id, rng).execution_options(yield_per=CSV_CHUNK)
    session.rollback()

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(REDEMPTION_CSV)
        try:
            for number, row in enumerate(session.execute(stmt).scalars(), start=1):
                data = redemption_json(row)
                writer.writerow([_csv_safe(data[k]) for k in REDEMPTION_CSV])
                if number % CSV_CHUNK == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
        finally:
            session.rollback()

    name = f"coupon-{coupon_id}-bookings-{rng.start.isoformat()}-to-{rng.end.isoformat()}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
