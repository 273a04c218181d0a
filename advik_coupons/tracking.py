"""How a coupon performs: summary, redemptions over time and the funnel.

Aggregation happens in SQL over the covering index
``(coupon_id, created_at, status, subtotal, discount)``: the database
returns one row per 15-minute UTC bucket, which Python folds into the site's
local days (so any time zone, DST included, is exact to the quarter hour).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import ColumnElement, Integer, and_, cast, func, select
from sqlalchemy.orm import Session

from .models import CouponDailyStat, Redemption
from .money import as_str
from .rules import start_of_day

BUCKET_MINUTES = 15
INTERVALS = ("day", "week", "month")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Stats:
    start: date
    end: date
    interval: str
    bookings: int = 0
    revenue: Decimal = Decimal("0.00")
    discounts: Decimal = Decimal("0.00")
    cancelled: int = 0
    series: list[tuple[str, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "interval": self.interval, "bookings": self.bookings,
                "revenue": as_str(self.revenue), "discounts": as_str(self.discounts),
                "cancelled": self.cancelled,
                "series": [{"period": p, "redemptions": n} for p, n in self.series]}


def _bucket(session: Session) -> ColumnElement[int]:
    column = Redemption.__table__.c.created_at
    if session.get_bind().dialect.name in {"mysql", "mariadb"}:
        return func.floor(func.timestampdiff(
            func.literal_column("MINUTE"), "1970-01-01 00:00:00", column) / BUCKET_MINUTES)
    return cast((func.julianday(column) - 2440587.5) * (1440 // BUCKET_MINUTES), Integer)


def period_of(day: date, interval: str) -> str:
    if interval == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if interval == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def periods(start: date, end: date, interval: str) -> list[str]:
    seen: list[str] = []
    day = start
    while day <= end:
        key = period_of(day, interval)
        if not seen or seen[-1] != key:
            seen.append(key)
        day += timedelta(days=1)
    return seen


def coupon_stats(session: Session, coupon_id: int, start: date, end: date, interval: str,
                 tz: tzinfo) -> Stats:
    """Bookings, revenue after discount and discounts of non-cancelled redemptions."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    lo = start_of_day(start, tz).astimezone(UTC)
    hi = start_of_day(end + timedelta(days=1), tz).astimezone(UTC)
    bucket = _bucket(session).label("bucket")
    rows = session.execute(
        select(bucket, Redemption.status, func.count(), func.sum(Redemption.subtotal),
               func.sum(Redemption.discount))
        .where(and_(Redemption.coupon_id == coupon_id, Redemption.created_at >= lo,
                    Redemption.created_at < hi))
        .group_by(bucket, Redemption.status)).all()
    stats = Stats(start=start, end=end, interval=interval)
    per_period: Counter[str] = Counter()
    revenue = Decimal("0")
    discounts = Decimal("0")
    for bucket_no, status, count, subtotal_sum, discount_sum in rows:
        if status == "cancelled":
            stats.cancelled += int(count)
            continue
        moment = EPOCH + timedelta(minutes=int(bucket_no) * BUCKET_MINUTES)
        local_day = moment.astimezone(tz).date()
        per_period[period_of(local_day, interval)] += int(count)
        stats.bookings += int(count)
        revenue += Decimal(subtotal_sum or 0) - Decimal(discount_sum or 0)
        discounts += Decimal(discount_sum or 0)
    stats.revenue, stats.discounts = revenue, discounts
    stats.series = [(p, per_period.get(p, 0)) for p in periods(start, end, interval)]
    return stats


def funnel(session: Session, coupon_id: int, start: date, end: date) -> dict[str, int]:
    """Counts of ``tried``, ``applied`` and each rejection reason between two local days."""
    rows = session.execute(
        select(CouponDailyStat.metric, func.sum(CouponDailyStat.count))
        .where(CouponDailyStat.coupon_id == coupon_id, CouponDailyStat.day >= start,
               CouponDailyStat.day <= end)
        .group_by(CouponDailyStat.metric)).all()
    totals: defaultdict[str, int] = defaultdict(int)
    for metric, count in rows:
        totals[str(metric)] += int(count or 0)
    return dict(totals)
