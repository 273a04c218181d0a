"""How a coupon performs: summary, redemptions over time and the funnel.

Totals and the chart read the rollup :class:`RedemptionBucket` — one row per
coupon and 15-minute UTC slot, kept in the same transaction as each redeem
and cancel (:func:`record_redemption`, :func:`record_cancellation`) — so a
90-day range sums at most 8,640 small index rows, whether the coupon has ten
redemptions or ten million. The database sums the slots into the site's
local days and returns one row per day (exact for every time zone, DST
included: UTC offsets are whole quarter hours). :func:`rebuild_buckets`
recomputes the rollup from the redemptions with one ``INSERT … SELECT``
(and the coarser spans of :mod:`advik_coupons.store.spans` from it)
(bulk loads use it; migration 0002 has its own frozen copy of the same SQL).
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Table,
    case,
    cast,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..domain.money import as_str
from ..domain.rules import start_of_day
from . import spans
from .dialects import epoch_seconds, family, upsert_adding
from .models import CouponDailyStat, Redemption, RedemptionBucket

BUCKET_SECONDS = 900
SLOTS_PER_DAY = 86400 // BUCKET_SECONDS
INTERVALS = ("day", "week", "month")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO = Decimal("0.00")


@dataclass
class Stats:
    start: date
    end: date
    interval: str
    bookings: int = 0
    revenue: Decimal = ZERO
    discounts: Decimal = ZERO
    cancelled: int = 0
    series: list[tuple[str, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "interval": self.interval, "bookings": self.bookings,
                "revenue": as_str(self.revenue), "discounts": as_str(self.discounts),
                "cancelled": self.cancelled,
                "series": [{"period": p, "redemptions": n} for p, n in self.series]}


def bucket_of(moment: datetime) -> int:
    """The 15-minute UTC slot of an aware moment."""
    return int((moment - EPOCH).total_seconds() // BUCKET_SECONDS)


def cents_of(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _dialect(connection: Session | Connection) -> str:
    if isinstance(connection, Connection):
        return connection.dialect.name
    return connection.get_bind().dialect.name


def bucket_table() -> Table:
    return RedemptionBucket.__table__  # type: ignore[return-value]


_COUNTERS = ("redeemed", "cancelled", "subtotal_cents", "discount_cents")


@functools.cache
def _upsert(dialect: str) -> Any:
    """The slot upsert for a dialect, built once (the values are bound per call)."""
    return upsert_adding(bucket_table(), ["coupon_id", "bucket"], _COUNTERS, dialect)


def _add(session: Session | Connection, coupon_id: int, bucket: int, *, redeemed: int,
         cancelled: int, subtotal: Decimal, discount: Decimal) -> None:
    """Add to one slot's counters (an upsert; the caller holds the coupon's row lock)."""
    counters = {"redeemed": redeemed, "cancelled": cancelled,
                "subtotal_cents": cents_of(subtotal), "discount_cents": cents_of(discount)}
    dialect = _dialect(session)
    session.execute(_upsert(dialect), [{"coupon_id": coupon_id, "bucket": bucket, **counters}])
    session.execute(spans.upsert(dialect), spans.span_rows(coupon_id, bucket, counters))


def record_redemption(session: Session, redemption: Redemption) -> None:
    """Count a new redemption in the rollup (inside the redeem transaction)."""
    _add(session, redemption.coupon_id, bucket_of(redemption.created_at), redeemed=1,
         cancelled=0, subtotal=redemption.subtotal, discount=redemption.discount)


def record_cancellation(session: Session, redemption: Redemption) -> None:
    """Move a cancelled redemption out of the totals (inside the cancel transaction)."""
    _add(session, redemption.coupon_id, bucket_of(redemption.created_at), redeemed=-1,
         cancelled=1, subtotal=-redemption.subtotal, discount=-redemption.discount)


def record_amendment(session: Session, redemption: Redemption, old_subtotal: Decimal,
                     old_discount: Decimal) -> None:
    """Move an amended redemption's amounts in its slot (inside the amend transaction)."""
    _add(session, redemption.coupon_id, bucket_of(redemption.created_at), redeemed=0,
         cancelled=0, subtotal=redemption.subtotal - old_subtotal,
         discount=redemption.discount - old_discount)


def _bucket_sql(dialect: str) -> ColumnElement[int]:
    seconds = epoch_seconds(Redemption.__table__.c.created_at, dialect)
    if family(dialect) == "sqlite":
        return cast(seconds / BUCKET_SECONDS, Integer)
    return cast(func.floor(seconds / BUCKET_SECONDS), Integer)


def _cents_sql(column: Any) -> ColumnElement[int]:
    return cast(func.round(column * 100), BigInteger)


def rebuild_buckets(connection: Connection | Session, coupon_id: int | None = None) -> None:
    """Recompute the rollup from the redemptions (all coupons, or one) in SQL."""
    table = bucket_table()
    dialect = _dialect(connection)
    wipe = delete(table)
    if coupon_id is not None:
        wipe = wipe.where(table.c.coupon_id == coupon_id)
    connection.execute(wipe)
    r = Redemption.__table__.c
    bucket = _bucket_sql(dialect).label("bucket")
    live = r.status != "cancelled"
    source = (select(r.coupon_id, bucket,
                     func.sum(case((live, 1), else_=0)),
                     func.sum(case((live, 0), else_=1)),
                     func.sum(case((live, _cents_sql(r.subtotal)), else_=0)),
                     func.sum(case((live, _cents_sql(r.discount)), else_=0)))
              .group_by(r.coupon_id, bucket))
    if coupon_id is not None:
        source = source.where(r.coupon_id == coupon_id)
    connection.execute(table.insert().from_select(
        ["coupon_id", "bucket", "redeemed", "cancelled", "subtotal_cents", "discount_cents"],
        source))
    spans.rebuild(connection, coupon_id)


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


def day_index(bucket: Any, edges: list[int]) -> Any:
    """SQL for "which local day of the range is this slot in", given each day's first slot.

    Within a stretch of days that all last 96 slots (no DST change) the day is
    ``(bucket - first) // 96``; a day of another length (a DST change) is a
    stretch of its own. A year has at most a handful of stretches, so the CASE
    stays short and the database returns one row per day.
    """
    stretches: list[tuple[int, int, int, int]] = []  # (first day, first slot, day length, end)
    day, last = 0, len(edges) - 1
    while day < last:
        length = edges[day + 1] - edges[day]
        following = day + 1
        if length == SLOTS_PER_DAY:
            while following < last and edges[following + 1] - edges[following] == SLOTS_PER_DAY:
                following += 1
        stretches.append((day, edges[day], length, edges[following]))
        day = following

    def number(value: int) -> Any:
        return literal_column(str(int(value)), Integer)  # our own integers, inlined

    def index_in(first: int, low: int, length: int) -> Any:
        return number(first) + (bucket - number(low)) // number(length)

    if len(stretches) == 1:
        return index_in(*stretches[0][:3])
    return case(*[(bucket < number(end), index_in(first, low, length))
                  for first, low, length, end in stretches[:-1]],
                else_=index_in(*stretches[-1][:3]))


def coupon_stats(session: Session, coupon_id: int, start: date, end: date, interval: str,
                 tz: tzinfo) -> Stats:
    """Bookings, revenue after discount and discounts of non-cancelled redemptions,
    and the redemptions per period, between two local days (inclusive).

    One query over the rollup, summed per local day by the database: at most one
    row per day of the range comes back, however busy the coupon.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    days = [start + timedelta(days=n) for n in range((end - start).days + 2)]
    # The first slot of each local day; the last entry closes the range.
    edges = [bucket_of(start_of_day(d, tz).astimezone(UTC)) for d in days]
    t = bucket_table()
    index = day_index(t.c.bucket, edges).label("day_index")
    rows = session.execute(
        select(index, func.sum(t.c.redeemed), func.sum(t.c.cancelled),
               func.sum(t.c.subtotal_cents), func.sum(t.c.discount_cents))
        .where(t.c.coupon_id == coupon_id, t.c.bucket >= edges[0], t.c.bucket < edges[-1])
        .group_by(index)).all()
    stats = Stats(start=start, end=end, interval=interval)
    per_period: Counter[str] = Counter()
    subtotal = discounts = 0
    for index, redeemed, cancelled, sub, disc in rows:
        per_period[period_of(days[int(index)], interval)] += int(redeemed or 0)
        stats.bookings += int(redeemed or 0)
        stats.cancelled += int(cancelled or 0)
        subtotal += int(sub or 0)
        discounts += int(disc or 0)
    stats.revenue = Decimal(subtotal - discounts).scaleb(-2)
    stats.discounts = Decimal(discounts).scaleb(-2)
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


@dataclass(frozen=True)
class Funnel:
    """Links opened → codes tried → applied → redeemed → cancelled, and why tries were
    turned down."""

    tried: int
    applied: int
    redeemed: int
    cancelled: int
    rejected_at_checkout: list[tuple[str, int]]
    rejected_at_redeem: list[tuple[str, int]]
    link_opened: int = 0

    def steps(self) -> list[tuple[str, int]]:
        return [("link_opened", self.link_opened), ("tried", self.tried),
                ("applied", self.applied), ("redeemed", self.redeemed),
                ("cancelled", self.cancelled)]


def coupon_funnel(session: Session, coupon_id: int, stats: Stats) -> Funnel:
    """The funnel for the range of ``stats`` (which gives redeemed and cancelled)."""
    counts = funnel(session, coupon_id, stats.start, stats.end)
    checkout: list[tuple[str, int]] = []
    at_redeem: list[tuple[str, int]] = []
    for metric, count in counts.items():
        if metric in {"tried", "applied", "link_opened"} or not count:
            continue
        if metric.startswith("redeem_"):
            at_redeem.append((metric.removeprefix("redeem_"), count))
        else:
            checkout.append((metric, count))
    return Funnel(tried=counts.get("tried", 0), applied=counts.get("applied", 0),
                  link_opened=counts.get("link_opened", 0),
                  redeemed=stats.bookings + stats.cancelled, cancelled=stats.cancelled,
                  rejected_at_checkout=sorted(checkout, key=lambda x: (-x[1], x[0])),
                  rejected_at_redeem=sorted(at_redeem, key=lambda x: (-x[1], x[0])))
