"""The coupon view: the tracking page's four sections, plus the funnel.

1. overview, 2. restrictions, 3. the redemption chart (Chart.js, bar or
line) over a range, 4. the performance summary for the range with "View
bookings" — and the funnel (tried → applied → redeemed → cancelled) with the
reasons tries were turned down.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, render_template, request, url_for
from sqlalchemy import func, select

from ..services.serialize import coupon_status
from ..state import get_state
from ..store.models import CodeBatch
from ..store.queries import get_coupon, primary_code
from ..store.tracking import coupon_funnel, coupon_stats
from .helpers import db
from .history import recent
from .ranges import PRESETS, parse_range, period_label
from .summary import coupon_summary


def tracking_data(coupon_id: int, args: Any) -> dict[str, Any]:
    """Summary, chart series and funnel for the range in ``args`` (three small reads)."""
    state = get_state()
    today = datetime.now(UTC).astimezone(state.tz).date()
    rng = parse_range(args, today)
    state.funnel.flush()  # counts this process still holds in memory
    stats = coupon_stats(db(), coupon_id, rng.start, rng.end, rng.interval, state.tz)
    funnel = coupon_funnel(db(), coupon_id, stats)
    chart = {"labels": [period_label(p, rng.interval) for p, _ in stats.series],
             "periods": [p for p, _ in stats.series],
             "values": [n for _, n in stats.series],
             "interval": rng.interval}
    return {"range": rng, "stats": stats, "funnel": funnel, "chart": chart}


def coupon_view(coupon_id: int) -> str:
    session = db()
    coupon = get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    batch_count = session.execute(select(func.count(CodeBatch.id))
                                  .where(CodeBatch.coupon_id == coupon_id)).scalar_one()
    data = tracking_data(coupon_id, request.args)
    chart_type = "line" if request.args.get("chart") == "line" else "bar"
    return render_template(
        "admin/coupon_view.html", coupon=coupon, code=code,
        status=coupon_status(coupon, datetime.now(UTC)), batch_count=batch_count,
        chart_type=chart_type, presets=PRESETS, share_link=share_link(code or ""),
        history=recent(coupon_id), summary=coupon_summary(coupon), **data)


def share_link(code: str) -> str:
    """The campaign link of a code, on the site's own address (``ADVIK_SITE_URL``)."""
    path = url_for("advik_checkout.go", code=code)
    base = str(current_app.config.get("ADVIK_SITE_URL") or "").rstrip("/")
    return (base or request.host_url.rstrip("/")) + path
