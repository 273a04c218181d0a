"""The admin's landing page: which coupons pay, across all of them, for a range.

Sortable by each column, 50 coupons a page, with the totals, a CSV of the
whole table and the redemptions per day of the top five coupons (Chart.js).
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from ..services.context import site_today
from ..state import get_state
from ..store.overview import CSV_COLUMNS, SORTS, overview
from ..web.csv import csv_response
from .helpers import Page, db, int_arg, page_url_args
from .ranges import PRESETS, parse_range, period_label

COLUMNS = {"code": "Coupon", "bookings": "Bookings", "revenue": "Revenue after discount",
           "discounts": "Discounts given", "new_customers": "New customers",
           "repeat_rate": "Booked again within 90 days", "average_with": "Average booking",
           "rejection_rate": "Tries turned down"}
#: Coupons per page of the table (the totals, the chart and the CSV cover all of them).
PER_PAGE = 50


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
    page = Page(int_arg("page", 1, 1, 1_000_000), PER_PAGE, len(found.coupons))
    if page.number > page.pages:
        page = Page(page.pages, PER_PAGE, page.total)
    return render_template("admin/overview.html", range=rng, overview=found,
                           rows=found.coupons[page.offset:page.offset + PER_PAGE], page=page,
                           page_url_args=page_url_args, totals=found.totals(), sort=sort,
                           descending=descending, columns=COLUMNS, presets=PRESETS,
                           chart=chart)


def overview_csv() -> Response:
    rng, found, _sort, _descending = _figures()
    rows = found.as_json()["coupons"]
    return csv_response(f"coupons-{rng.start.isoformat()}-to-{rng.end.isoformat()}.csv",
                        CSV_COLUMNS, [[row[k] for k in CSV_COLUMNS] for row in rows])
