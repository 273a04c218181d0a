""""View bookings": the redemptions of a coupon in the tracking range, and their CSV."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from flask import Response, render_template, request
from sqlalchemy import Select, select

from ..domain.rules import start_of_day
from ..services.context import site_today
from ..services.serialize import REDEMPTION_CSV, redemption_row
from ..state import get_state
from ..store.models import Redemption
from ..store.queries import get_coupon, primary_code
from ..store.tracking import coupon_stats
from ..web.csv import csv_response, query_rows
from .helpers import Page, db, int_arg, page_url_args
from .ranges import DateRange, parse_range

PER_PAGE = 50


def _range() -> DateRange:
    return parse_range(request.args, site_today(get_state()))


def _in_range(coupon_id: int, rng: DateRange) -> Select[Any]:
    """The range's redemptions, newest first, over the ``(coupon_id, created_at…)`` index."""
    tz = get_state().tz
    lo = start_of_day(rng.start, tz).astimezone(UTC)
    hi = start_of_day(rng.end + timedelta(days=1), tz).astimezone(UTC)
    return (select(Redemption)
            .where(Redemption.coupon_id == coupon_id, Redemption.created_at >= lo,
                   Redemption.created_at < hi)
            .order_by(Redemption.created_at.desc(), Redemption.id.desc()))


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
    return render_template("admin/bookings.html", coupon=coupon, code=code, range=rng,
                           rows=rows, page=page, stats=stats, page_url_args=page_url_args)


def bookings_csv(coupon_id: int) -> Response:
    session = db()
    get_coupon(session, coupon_id)
    rng = _range()
    currency = get_state().currency
    rows = query_rows(session, _in_range(coupon_id, rng), lambda r: redemption_row(r, currency))
    name = f"coupon-{coupon_id}-bookings-{rng.start.isoformat()}-to-{rng.end.isoformat()}.csv"
    return csv_response(name, REDEMPTION_CSV, rows)
