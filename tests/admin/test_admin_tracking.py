"""The tracking page: the rollup, the four sections, the funnel and "View bookings"."""

from __future__ import annotations

import contextlib
import csv
import io
import random
import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from advik_coupons import Booking, CouponRejected, cancel, quote, redeem
from advik_coupons.admin.ranges import parse_range
from advik_coupons.state import get_state
from advik_coupons.store.models import Redemption, RedemptionBucket
from advik_coupons.store.tracking import coupon_stats, rebuild_buckets
from tests.admin_support import AdminClient, admin, any_admin
from tests.conftest import make_app, make_coupon

__all__ = ["admin", "any_admin"]
NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def bucket_rows(app: Flask, coupon_id: int) -> list[tuple[int, int, int, int, int]]:
    with app.app_context():
        t = RedemptionBucket
        return [tuple(r) for r in get_state().session.execute(  # type: ignore[misc]
            select(t.bucket, t.redeemed, t.cancelled, t.subtotal_cents, t.discount_cents)
            .where(t.coupon_id == coupon_id).order_by(t.bucket))]


def test_rollup_follows_redeem_and_cancel_and_matches_a_rebuild(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="ROLL", starts_at=LONG_AGO)
    with any_app.app_context():
        made = [redeem("ROLL", Booking(subtotal=Decimal(s), booking_ref=f"r-{n}"),
                       now=NOW - timedelta(days=n % 3, minutes=7 * n))
                for n, s in enumerate(["100.00", "0.29", "19.99", "250.55", "80.10"])]
        cancel(made[1].redemption.id)
        cancel(made[1].redemption.id)  # twice: counted once
        redeem("ROLL", Booking(subtotal=Decimal("100.00"), booking_ref="r-0"))  # same booking
    kept = bucket_rows(any_app, coupon_id)
    assert sum(r[1] for r in kept) == 4 and sum(r[2] for r in kept) == 1
    assert sum(r[3] for r in kept) == 10000 + 1999 + 25055 + 8010
    assert sum(r[4] for r in kept) == 1000 + 200 + 2506 + 801
    with any_app.app_context():
        session = get_state().session
        rebuild_buckets(session, coupon_id)
        session.commit()
    assert bucket_rows(any_app, coupon_id) == kept


def test_stats_fold_slots_into_local_days(tmp_path: object, sqlite_url: str) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_TIMEZONE="Asia/Kolkata")  # type: ignore[arg-type]
    make_coupon(app, code="IST", starts_at=LONG_AGO)
    tz = ZoneInfo("Asia/Kolkata")
    # 23:50 and 00:10 local on either side of midnight: two different local days.
    late = datetime(2026, 3, 9, 23, 50, tzinfo=tz)
    early = datetime(2026, 3, 10, 0, 10, tzinfo=tz)
    with app.app_context():
        for n, moment in enumerate([late, early, early + timedelta(hours=5)]):
            redeem("IST", Booking(subtotal=Decimal("40.00"), booking_ref=f"i-{n}"), now=moment)
        stats = coupon_stats(get_state().session, 1, date(2026, 3, 9), date(2026, 3, 10), "day",
                             tz)
    assert stats.series == [("2026-03-09", 1), ("2026-03-10", 2)]
    assert (stats.bookings, stats.revenue, stats.discounts) == (3, Decimal("108.00"),
                                                                 Decimal("12.00"))


def test_ranges() -> None:
    today = date(2026, 11, 22)
    assert parse_range({}, today).start == date(2026, 10, 24)
    assert parse_range({"range": "7d"}, today).start == date(2026, 11, 16)
    twelve = parse_range({"range": "12m"}, today)
    assert (twelve.start, twelve.interval) == (date(2025, 12, 1), "month")
    custom = parse_range({"range": "custom", "from": "2026-01-01", "to": "2026-06-30"}, today)
    assert (custom.start, custom.end, custom.interval) == (date(2026, 1, 1), date(2026, 6, 30),
                                                           "week")
    backwards = parse_range({"range": "custom", "from": "2026-06-30", "to": "2026-01-01"}, today)
    assert backwards.error and backwards.key == "30d"
    assert parse_range({"range": "custom", "from": "junk"}, today).error


def seed_tracking(app: Flask) -> int:
    coupon_id = make_coupon(app, code="TRACK", name="Tracked <i>campaign</i>",
                            min_subtotal=Decimal("50"), days_of_week="mon,tue",
                            max_uses=100, starts_at=LONG_AGO)
    monday = NOW.date() - timedelta(days=NOW.date().weekday())
    with app.app_context():
        for n in range(3):
            redeem("TRACK", Booking(subtotal=Decimal("100.00"), booking_ref=f"t-{n}",
                                    email=f"c{n}@example.com", booking_date=monday),
                   now=NOW - timedelta(days=n))
        old = redeem("TRACK", Booking(subtotal=Decimal("100.00"), booking_ref="t-old",
                                      booking_date=monday), now=NOW - timedelta(days=60))
        gone = redeem("TRACK", Booking(subtotal=Decimal("70.00"), booking_ref="t-gone",
                                       booking_date=monday), now=NOW)
        cancel(gone.redemption.id)
        assert old.created
        for subtotal in ("100", "20", "30"):
            with contextlib.suppress(CouponRejected):
                quote("TRACK", Booking(subtotal=Decimal(subtotal), booking_date=monday))
        with pytest.raises(CouponRejected):
            redeem("TRACK", Booking(subtotal=Decimal("10.00"), booking_ref="t-small",
                                    booking_date=monday))
    return coupon_id


def test_the_view_shows_the_four_sections_and_the_funnel(any_app: Flask,
                                                         any_admin: AdminClient) -> None:
    coupon_id = seed_tracking(any_app)
    html = any_admin.get(f"/admin/coupons/{coupon_id}").text
    for heading in ("Overview", "Restrictions", "Redemptions over time", "Performance summary",
                    "Funnel", "View bookings"):
        assert heading in html
    assert "Tracked &lt;i&gt;campaign&lt;/i&gt;" in html and "<i>campaign" not in html
    assert "5 used of 100" not in html and "4 used of 100" in html
    assert "Mon, Tue" in html and "$50.00" in html
    assert re.search(r'id="stat-bookings">3<', html)
    assert re.search(r'id="stat-revenue">\$270\.00<', html)
    assert re.search(r'id="stat-discounts">\$30\.00<', html)
    funnel = dict(re.findall(r'funnel-(\w+)">.*?funnel-count">(\d+)<', html, re.S))
    assert funnel == {"link_opened": "0", "tried": "3", "applied": "1", "redeemed": "4",
                      "cancelled": "1"}
    assert "The booking was below the minimum amount." in html
    ninety = any_admin.get(f"/admin/coupons/{coupon_id}?range=90d&chart=line").text
    assert re.search(r'id="stat-bookings">4<', ninety)
    data = re.search(r'id="chart-data">(.*?)</script>', ninety, re.S)
    assert data and '"type": "line"' in data.group(1) and '"interval": "day"' in data.group(1)
    assert sum(int(v) for v in re.findall(r"\d+", data.group(1).split('"values": [')[1]
                                          .split("]")[0])) == 4
    assert "vendor/chartjs/chart.umd.min.js" in ninety


def test_view_bookings_pages_and_exports_csv(any_admin: AdminClient, any_app: Flask) -> None:
    admin = any_admin
    coupon_id = seed_tracking(any_app)
    page = admin.get(f"/admin/coupons/{coupon_id}/bookings?range=90d").text
    for ref in ("t-0", "t-1", "t-2", "t-old", "t-gone"):
        assert ref in page
    last_30 = admin.get(f"/admin/coupons/{coupon_id}/bookings").text
    assert "t-old" not in last_30 and "t-0" in last_30
    response = admin.get(f"/admin/coupons/{coupon_id}/bookings.csv?range=90d")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["booking_ref"] for r in rows) == ["t-0", "t-1", "t-2", "t-gone", "t-old"]
    gone = next(r for r in rows if r["booking_ref"] == "t-gone")
    assert (gone["status"], gone["subtotal"], gone["discount"]) == ("cancelled", "70.00", "7.00")


def test_rollup_stays_exact_under_concurrent_redeems(any_app: Flask) -> None:
    coupon_id = make_coupon(any_app, code="RUSH", starts_at=LONG_AGO, max_uses=30)

    def worker(n: int) -> None:
        for i in range(6):
            with any_app.app_context(), contextlib.suppress(CouponRejected):
                result = redeem("RUSH", Booking(subtotal=Decimal("10.00"),
                                                booking_ref=f"rush-{n}-{i}"))
                if i == 0 and n % 2 == 0:
                    cancel(result.redemption.id)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    kept = bucket_rows(any_app, coupon_id)
    with any_app.app_context():
        session = get_state().session
        counts = dict(session.execute(select(Redemption.status, func.count())
                                      .where(Redemption.coupon_id == coupon_id)
                                      .group_by(Redemption.status)).all())
        rebuild_buckets(session, coupon_id)
        session.commit()
    assert 26 <= counts["redeemed"] <= 30 and counts.get("cancelled", 0) >= 1
    assert sum(r[1] for r in kept) == counts["redeemed"]
    assert sum(r[2] for r in kept) == counts.get("cancelled", 0)
    assert sum(r[3] for r in kept) == counts["redeemed"] * 1000
    assert bucket_rows(any_app, coupon_id) == kept


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                  "Asia/Kolkata"])
def test_days_are_local_across_dst_changes(any_app: Flask, zone: str) -> None:
    """Every redemption lands on its local day, whatever the zone's DST rules."""
    tz = ZoneInfo(zone)
    coupon_id = make_coupon(any_app, code="ZONES", starts_at=LONG_AGO)
    rnd = random.Random(zone)
    start, end = date(2025, 12, 20), date(2026, 12, 10)
    first = datetime.combine(start, datetime.min.time(), tz).astimezone(UTC)
    span = int((datetime.combine(end, datetime.min.time(), tz).astimezone(UTC) - first)
               .total_seconds()) + 86400
    moments = [first + timedelta(seconds=rnd.randrange(span)) for _ in range(400)]
    # and the edges: the last and first minutes around each local midnight of DST days
    for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4),
                date(2026, 10, 25), date(2026, 11, 1)):
        midnight = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
        moments += [midnight - timedelta(seconds=1), midnight, midnight + timedelta(minutes=14)]
    with any_app.app_context():
        session = get_state().session
        session.execute(Redemption.__table__.insert(), [
            {"coupon_id": coupon_id, "code": "ZONES", "booking_ref": f"z-{n}", "occurrence": 0,
             "booking_type": "one_time", "subtotal": Decimal("10.00"), "discount": Decimal("1.00"),
             "tax": Decimal("0"), "total": Decimal("9.00"), "discount_type": "percent",
             "discount_value": Decimal("10"), "recurring_scope": "first", "consumed_use": True,
             "status": "redeemed", "source": "api", "created_at": moment}
            for n, moment in enumerate(moments)])
        rebuild_buckets(session, coupon_id)
        session.commit()
        stats = coupon_stats(session, coupon_id, start, end, "day", tz)
    expected: dict[str, int] = {}
    for moment in moments:
        local_day = moment.astimezone(tz).date()
        if start <= local_day <= end:
            expected[local_day.isoformat()] = expected.get(local_day.isoformat(), 0) + 1
    assert {p: n for p, n in stats.series if n} == expected
    assert stats.bookings == sum(expected.values())
