"""``GET /api/v1/stats``: every coupon's figures for a range, and the totals."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..state import get_state
from ..store.overview import CSV_COLUMNS, SORTS, overview
from ..web.csv import csv_response
from .args import choice_arg, range_args, wants_csv

ORDERS = ("asc", "desc")


def stats_across() -> Any:
    state = get_state()
    start, end, _interval = range_args()
    found = overview(state.session, start, end, state.tz)
    sort = choice_arg("sort", SORTS, "bookings")
    found.coupons = found.sorted(sort, descending=choice_arg("order", ORDERS, "desc") == "desc")
    body = found.as_json()
    if wants_csv():
        return csv_response(f"coupons-{start.isoformat()}-to-{end.isoformat()}.csv",
                            CSV_COLUMNS, [[row[k] for k in CSV_COLUMNS]
                                          for row in body["coupons"]])
    return jsonify(body)
