"""The admin's landing page: which coupons pay, across all of them, for a range.

Sortable by each column, with the totals, a CSV of the same table and the
redemptions per day of the top five coupons (Chart.js).
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from ..services.context import site_today
from ..state import get_state
from ..store.overview import CSV_COLUMNS, SORTS, overview
from ..web.csv import csv_response
from .helpers import db
from .ranges import PRESETS, parse_range, period_label

COLUMNS = {"code": "Coupon", "bookings": "Bookings", "revenue": "Revenue after discount",
           "discounts": "Discounts given", "new_customers": "New customers",
           "repeat_rate": "Booked again within 90 days", "average_with": "Average booking",
           "rejection_rate": "Tries turned down"}


def _figures() -> tuple[Any, Any, str, bool]:
    state = get_state()
    rng = parse_range(request.args, site_today(state))
    state.funnel.flush()
    found = overview(db(), rng.start, rng.end, state.tz)
    sort = request.args.get("sort", "bookings")
    sort = sort if sort in SORTS else "bookings"
    descending = request.args.get("order", "asc" if sort == "code" else "desc") != "asc"
    found.coupons = found.sorted(sort, descending)
    return rng, found, sort, descending


def overview_page() -> str:
    rng, found, sort, descending = _figures()
    chart = {"labels": [period_label(d, "day") for d in found.days],
             "series": [{"label": row.code, "values": values} for row, values in found.chart]}
    return render_template("admin/overview.html", range=rng, overview=found,
                           totals=found.totals(), sort=sort, descending=descending,
                           columns=COLUMNS, presets=PRESETS, chart=chart)


def overview_csv() -> Response:
    rng, found, _sort, _descending = _figures()
    rows = found.as_json()["coupons"]
    return csv_response(f"coupons-{rng.start.isoformat()}-to-{rng.end.isoformat()}.csv",
                        CSV_COLUMNS, [[row[k] for k in CSV_COLUMNS] for row in rows])
