"""Coarser rollups over the 15-minute slots, so long ranges of many coupons stay cheap.

The overview sums every coupon's slots of a range. Over a year that is up to one
row per coupon and slot; :class:`RedemptionSpan` keeps the same counters per
coupon for whole UTC days (96 slots) and 32-day blocks (3,072 slots), written in
the same statement batch as the slot. :func:`pieces` covers a slot range with the
coarsest rows that fit — blocks in the middle, days, then slots at the two edges
— and :func:`totals` sums them per coupon: a year of 1,000 coupons reads about
a tenth of the rows the slots alone would. Spans are fixed multiples of the
slot, so no calendar arithmetic is needed in SQL; the edges are exact for every
time zone because the slots are.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    and_,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .dialects import upsert_adding
from .models import RedemptionBucket, RedemptionSpan

#: Span lengths in slots, coarsest first: 32 days, 1 day.
SPANS = (3072, 96)
COUNTERS = ("redeemed", "cancelled", "subtotal_cents", "discount_cents")
#: (span in slots, first unit, end unit): span 1 is the slot table itself.
Piece = tuple[int, int, int]


def pieces(lo: int, hi: int, spans: Sequence[int] = SPANS) -> list[Piece]:
    """Cover the slots ``[lo, hi)`` with whole spans, the coarsest that fit first."""
    if lo >= hi:
        return []
    if not spans:
        return [(1, lo, hi)]
    span, finer = spans[0], spans[1:]
    first, end = -(-lo // span), hi // span
    if first >= end:
        return pieces(lo, hi, finer)
    return [*pieces(lo, first * span, finer), (span, first, end),
            *pieces(end * span, hi, finer)]


def span_rows(coupon_id: int, bucket: int, counters: dict[str, int]) -> list[dict[str, int]]:
    """The span rows one slot's change adds to (one per span length)."""
    return [{"coupon_id": coupon_id, "span": span, "start": bucket // span, **counters}
            for span in SPANS]


def _table() -> Table:
    return RedemptionSpan.__table__  # type: ignore[return-value]


@functools.cache
def upsert(dialect: str) -> Any:
    """The span upsert for a dialect, built once (the values are bound per call)."""
    return upsert_adding(_table(), ["coupon_id", "span", "start"], COUNTERS, dialect)


def rebuild(connection: Connection | Session, coupon_id: int | None = None) -> None:
    """Recompute the spans from the slots (all coupons, or one) in SQL."""
    spans, slots = _table(), RedemptionBucket.__table__
    wipe = delete(spans)
    if coupon_id is not None:
        wipe = wipe.where(spans.c.coupon_id == coupon_id)
    connection.execute(wipe)
    for span in SPANS:
        start = cast(slots.c.bucket // span, Integer).label("start")  # floor division
        source = select(slots.c.coupon_id, literal_column(str(int(span))), start,
                        *(func.sum(slots.c[name]) for name in COUNTERS))
        if coupon_id is not None:
            source = source.where(slots.c.coupon_id == coupon_id)
        connection.execute(spans.insert().from_select(
            ["coupon_id", "span", "start", *COUNTERS],
            source.group_by(slots.c.coupon_id, start)))


def totals(session: Session, lo: int, hi: int) -> dict[int, tuple[int, int, int]]:
    """Per coupon, (redeemed, subtotal cents, discount cents) of the slots ``[lo, hi)``."""
    slots, spans = RedemptionBucket.__table__, _table()
    found: dict[int, tuple[int, int, int]] = {}
    covered = pieces(lo, hi)
    fine = [and_(slots.c.bucket >= a, slots.c.bucket < b) for s, a, b in covered if s == 1]
    coarse = [and_(spans.c.span == s, spans.c.start >= a, spans.c.start < b)
              for s, a, b in covered if s != 1]
    for table, conditions in ((slots, fine), (spans, coarse)):
        if not conditions:
            continue
        for coupon_id, redeemed, sub, disc in session.execute(
                select(table.c.coupon_id, func.sum(table.c.redeemed),
                       func.sum(table.c.subtotal_cents), func.sum(table.c.discount_cents))
                .where(or_(*conditions)).group_by(table.c.coupon_id)):
            was = found.get(int(coupon_id), (0, 0, 0))
            found[int(coupon_id)] = (was[0] + int(redeemed or 0), was[1] + int(sub or 0),
                                     was[2] + int(disc or 0))
    return found
