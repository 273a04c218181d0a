"""``GET /api/v1/stats``: every coupon's figures for a range, and the totals."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..state import get_state
from ..store.overview import CSV_COLUMNS, SORTS, overview
from ..web.csv import csv_response
from .args import range_args


def stats_across() -> Any:
    state = get_state()
    start, end, _interval = range_args()
    found = overview(state.session, start, end, state.tz)
    sort = request.args.get("sort", "bookings")
    found.coupons = found.sorted(sort if sort in SORTS else "bookings",
                                 descending=request.args.get("order", "desc") != "asc")
    body = found.as_json()
    if request.args.get("format") == "csv":
        return csv_response(f"coupons-{start.isoformat()}-to-{end.isoformat()}.csv",
                            CSV_COLUMNS, [[row[k] for k in CSV_COLUMNS]
                                          for row in body["coupons"]])
    return jsonify(body)
