"""The overview across coupons: which ones pay (``docs/contracts.md`` §12).

For a range of site-local days, every coupon with something to show — its
bookings, revenue after discount and discounts (from the tracking rollup),
the new customers it won (their first ledger booking used it), how many of
those booked again within 90 days, the average booking with it, and the
share of tries turned down (from the funnel counters) — plus the average
booking without any coupon, and totals. Each figure is one grouped query
over an index; nothing is read row by row in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..domain.money import as_str
from ..domain.rules import start_of_day
from . import spans
from .dialects import epoch_seconds
from .models import Coupon, CouponCode, CouponDailyStat, LedgerBooking, Redemption
from .tracking import bucket_of, bucket_table, day_index, periods

REPEAT_DAYS = 90
TOP = 5
ZERO = Decimal("0.00")
#: The columns an overview can be sorted by (each is a figure of :class:`CouponFigures`).
SORTS = ("code", "bookings", "revenue", "discounts", "new_customers", "repeat_rate",
         "average_with", "rejection_rate")
#: A coupon's figures as the API answers them and the CSV downloads list them.
CSV_COLUMNS = ("coupon_id", "code", "bookings", "revenue", "discounts", "new_customers",
               "repeat_rate", "average_with", "average_without", "rejection_rate")


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _cents(value: Any) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-2)


@dataclass
class CouponFigures:
    coupon_id: int
    code: str = ""
    name: str = ""
    bookings: int = 0
    revenue: Decimal = ZERO
    discounts: Decimal = ZERO
    subtotals: Decimal = ZERO
    new_customers: int = 0
    repeat_customers: int = 0
    tried: int = 0
    applied: int = 0

    @property
    def repeat_rate(self) -> Decimal | None:
        return _rate(self.repeat_customers, self.new_customers)

    @property
    def average_with(self) -> Decimal | None:
        return (self.subtotals / self.bookings).quantize(ZERO) if self.bookings else None

    @property
    def rejection_rate(self) -> Decimal | None:
        return _rate(self.tried - self.applied, self.tried)

    def as_json(self, average_without: Decimal | None) -> dict[str, Any]:
        def money(value: Decimal | None) -> str | None:
            return None if value is None else as_str(value)

        def rate(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {"coupon_id": self.coupon_id, "code": self.code, "bookings": self.bookings,
                "revenue": as_str(self.revenue), "discounts": as_str(self.discounts),
                "new_customers": self.new_customers, "repeat_rate": rate(self.repeat_rate),
                "average_with": money(self.average_with),
                "average_without": money(average_without),
                "rejection_rate": rate(self.rejection_rate)}


@dataclass
class Overview:
    start: date
    end: date
    coupons: list[CouponFigures]
    average_without: Decimal | None
    chart: list[tuple[CouponFigures, list[int]]] = field(default_factory=list)
    days: list[str] = field(default_factory=list)

    def totals(self) -> CouponFigures:
        total = CouponFigures(coupon_id=0, code="", name="All coupons")
        for row in self.coupons:
            for name in ("bookings", "revenue", "discounts", "subtotals", "new_customers",
                         "repeat_customers", "tried", "applied"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total

    def sorted(self, key: str, descending: bool) -> list[CouponFigures]:
        if key not in SORTS:
            key = "bookings"

        def value(row: CouponFigures) -> tuple[bool, Any]:
            found = getattr(row, key)
            return (found is not None, found if found is not None else 0)

        ordered = sorted(self.coupons, key=lambda r: r.code)
        return sorted(ordered, key=value, reverse=descending)

    def as_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "coupons": [c.as_json(self.average_without) for c in self.coupons],
                "totals": self.totals().as_json(self.average_without)}


def _utc_range(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    return (start_of_day(start, tz).astimezone(UTC),
            start_of_day(end + timedelta(days=1), tz).astimezone(UTC))


def _from_rollup(session: Session, lo: int, hi: int,
                 rows: defaultdict[int, CouponFigures]) -> None:
    for coupon_id, (redeemed, sub, disc) in spans.totals(session, lo, hi).items():
        row = rows[coupon_id]
        row.bookings = redeemed
        row.subtotals = _cents(sub)
        row.discounts = _cents(disc)
        row.revenue = row.subtotals - row.discounts


def _from_funnel(session: Session, start: date, end: date,
                 rows: defaultdict[int, CouponFigures]) -> None:
    s = CouponDailyStat
    for coupon_id, metric, count in session.execute(
            select(s.coupon_id, s.metric, func.sum(s.count))
            .where(s.day >= start, s.day <= end, s.metric.in_(("tried", "applied")),
                   s.coupon_id != 0)
            .group_by(s.coupon_id, s.metric)):
        setattr(rows[int(coupon_id)], str(metric), int(count or 0))


def _new_customers(session: Session, lo: datetime, hi: datetime,
                   rows: defaultdict[int, CouponFigures]) -> None:
    """Customers whose first ledger booking (in the range) used a coupon, and their repeats.

    One grouped query: each customer's first confirmed booking is the minimum of the
    customer index; "booked again" is a later confirmed booking within 90 days.
    """
    booking, later = LedgerBooking, aliased(LedgerBooking)
    first_at = func.min(booking.created_at)
    firsts = (select(booking.email_key.label("email_key"), first_at.label("first_at"))
              .where(booking.status == "confirmed", booking.email_key.is_not(None))
              .group_by(booking.email_key)
              .having(first_at >= lo, first_at < hi)).subquery()
    dialect = session.get_bind().dialect.name
    again = exists().where(
        later.email_key == firsts.c.email_key, later.status == "confirmed",
        later.created_at > firsts.c.first_at,
        epoch_seconds(later.created_at, dialect)
        <= epoch_seconds(firsts.c.first_at, dialect) + REPEAT_DAYS * 86400)
    first = aliased(LedgerBooking)
    for coupon_id, won, repeated in session.execute(
            select(Redemption.coupon_id, func.count(distinct(firsts.c.email_key)),
                   func.count(distinct(case((again, firsts.c.email_key)))))
            .select_from(firsts)
            .join(first, and_(first.email_key == firsts.c.email_key,
                              first.created_at == firsts.c.first_at,
                              first.status == "confirmed"))
            .join(Redemption, and_(Redemption.booking_ref == first.booking_ref,
                                   Redemption.status == "redeemed"))
            .group_by(Redemption.coupon_id)):
        row = rows[int(coupon_id)]
        row.new_customers, row.repeat_customers = int(won or 0), int(repeated or 0)


def _average_without(session: Session, lo: datetime, hi: datetime) -> Decimal | None:
    """The average subtotal of the range's confirmed ledger bookings that used no coupon."""
    value = session.execute(
        select(func.avg(LedgerBooking.subtotal))
        .where(LedgerBooking.created_at >= lo, LedgerBooking.created_at < hi,
               LedgerBooking.status == "confirmed", LedgerBooking.with_coupon.is_(False),
               LedgerBooking.subtotal.is_not(None))).scalar()
    return None if value is None else Decimal(str(value)).quantize(ZERO)


def _names(session: Session, rows: Iterable[CouponFigures]) -> None:
    by_id = {r.coupon_id: r for r in rows}
    for chunk in (list(by_id)[i:i + 500] for i in range(0, len(by_id), 500)):
        for coupon_id, name, code in session.execute(
                select(Coupon.id, Coupon.name, CouponCode.code)
                .join(CouponCode, and_(CouponCode.coupon_id == Coupon.id,
                                       CouponCode.is_primary.is_(True)))
                .where(Coupon.id.in_(chunk))):
            by_id[int(coupon_id)].name, by_id[int(coupon_id)].code = str(name), str(code)


def _chart(session: Session, top: list[CouponFigures], start: date, end: date,
           tz: tzinfo) -> list[tuple[CouponFigures, list[int]]]:
    """Redemptions per local day of the range for the coupons of ``top``."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 2)]
    edges = [bucket_of(start_of_day(d, tz).astimezone(UTC)) for d in days]
    t = bucket_table()
    index = day_index(t.c.bucket, edges).label("day_index")
    series = {r.coupon_id: [0] * (len(days) - 1) for r in top}
    for coupon_id, day, redeemed in session.execute(
            select(t.c.coupon_id, index, func.sum(t.c.redeemed))
            .where(t.c.coupon_id.in_(list(series)), t.c.bucket >= edges[0],
                   t.c.bucket < edges[-1])
            .group_by(t.c.coupon_id, index)):
        series[int(coupon_id)][int(day)] = int(redeemed or 0)
    return [(r, series[r.coupon_id]) for r in top]


def overview(session: Session, start: date, end: date, tz: tzinfo) -> Overview:
    """Every coupon's figures between two local days (inclusive), and the top five's days."""
    lo, hi = _utc_range(start, end, tz)
    rows: defaultdict[int, CouponFigures] = defaultdict(lambda: CouponFigures(0))
    _from_rollup(session, bucket_of(lo), bucket_of(hi), rows)
    _from_funnel(session, start, end, rows)
    _new_customers(session, lo, hi, rows)
    for coupon_id, row in rows.items():
        row.coupon_id = coupon_id
    _names(session, rows.values())
    found = sorted((r for r in rows.values() if r.code),
                   key=lambda r: (-r.bookings, r.code))
    result = Overview(start=start, end=end, coupons=found,
                      average_without=_average_without(session, lo, hi))
    top = [r for r in found if r.bookings][:TOP]
    if top:
        result.chart = _chart(session, top, start, end, tz)
        result.days = periods(start, end, "day")
    return result
