"""Is this database whole? The checks ``advik-coupons check`` runs on a restored copy.

A backup taken without one consistent snapshot (or a restore that lost rows)
shows as numbers that no longer agree; each check compares two things the
redeem and cancel transactions always change together:

* ``used`` — a coupon's ``used`` equals its live redemptions that took a use
  (not cancelled, ``consumed_use``; a recurring series' later occurrences take none);
* ``rollup`` — per coupon, the 15-minute slots count the redemptions (live and
  cancelled) and every span length of the coarser rollup sums to the slots;
* ``outbox`` — every outbox notice about a redemption names one that exists.

Each finding names the coupon (or the outbox row) and both numbers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from .models import Coupon, OutboxMessage, Redemption, RedemptionBucket, RedemptionSpan
from .spans import SPANS

#: Outbox notices whose data names a redemption (``data.booking.redemption_id``).
REDEMPTION_EVENTS = ("coupon.redeemed", "coupon.limit_reached", "coupon.released",
                     "coupon.redemption_amended")


@dataclass(frozen=True)
class Problem:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


@dataclass(frozen=True)
class Report:
    coupons: int
    redemptions: int
    notices: int
    problems: list[Problem]


def _used(connection: Connection) -> list[Problem]:
    r = Redemption.__table__.c
    taking = func.sum(case(((r.status == "redeemed") & r.consumed_use.is_(True), 1), else_=0))
    live = dict(connection.execute(select(r.coupon_id, taking).group_by(r.coupon_id)).all())
    found = []
    for coupon_id, used in connection.execute(select(Coupon.id, Coupon.used).order_by(Coupon.id)):
        counted = int(live.get(coupon_id) or 0)
        if int(used) != counted:
            found.append(Problem("used", f"coupon {coupon_id}: used is {used} but "
                                         f"{counted} live redemptions took a use"))
    return found


def _rollup(connection: Connection) -> list[Problem]:
    r = Redemption.__table__.c
    is_live = r.status != "cancelled"
    rows = connection.execute(select(r.coupon_id, func.sum(case((is_live, 1), else_=0)),
                                     func.sum(case((is_live, 0), else_=1)))
                              .group_by(r.coupon_id)).all()
    truth = {int(c): (int(live or 0), int(gone or 0)) for c, live, gone in rows}
    b = RedemptionBucket.__table__.c
    slots = {int(c): (int(live or 0), int(gone or 0)) for c, live, gone in connection.execute(
        select(b.coupon_id, func.sum(b.redeemed), func.sum(b.cancelled)).group_by(b.coupon_id))}
    found = []
    for coupon_id in sorted(set(truth) | set(slots)):
        want, have = truth.get(coupon_id, (0, 0)), slots.get(coupon_id, (0, 0))
        if want != have:
            found.append(Problem("rollup", f"coupon {coupon_id}: {want[0]} live and {want[1]} "
                                           f"cancelled redemptions, but the rollup counts "
                                           f"{have[0]} and {have[1]}"))
    s = RedemptionSpan.__table__.c
    spans: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for coupon_id, span, live, gone in connection.execute(
            select(s.coupon_id, s.span, func.sum(s.redeemed), func.sum(s.cancelled))
            .group_by(s.coupon_id, s.span)):
        spans[(int(coupon_id), int(span))] = (int(live or 0), int(gone or 0))
    for coupon_id in sorted(slots):
        for span in SPANS:
            if spans[(coupon_id, span)] != slots[coupon_id]:
                found.append(Problem("rollup", f"coupon {coupon_id}: the {span}-slot spans "
                                               f"count {spans[(coupon_id, span)]}, the slots "
                                               f"{slots[coupon_id]}"))
    return found


def _outbox(connection: Connection) -> tuple[int, list[Problem]]:
    existing = set(connection.execute(select(Redemption.id)).scalars())
    o = OutboxMessage.__table__.c
    found, seen = [], 0
    rows = connection.execution_options(yield_per=1000).execute(
        select(o.id, o.event_type, o.coupon_id, o.payload).order_by(o.id))
    for row_id, event_type, coupon_id, payload in rows:
        seen += 1
        if event_type not in REDEMPTION_EVENTS:
            continue
        try:
            booking = json.loads(payload)["data"]["booking"]
            redemption_id = booking["redemption_id"]
        except (ValueError, KeyError, TypeError):
            found.append(Problem("outbox", f"row {row_id} ({event_type}, coupon {coupon_id}): "
                                           "its body names no redemption"))
            continue
        if redemption_id not in existing:
            found.append(Problem("outbox", f"row {row_id} ({event_type}, coupon {coupon_id}): "
                                           f"redemption {redemption_id} is missing"))
    return seen, found


def check(connection: Connection) -> Report:
    """Run every check. Meant for a restored copy that nothing else writes to: on a live
    database a redemption committed between two reads can show as a difference."""
    coupons = int(connection.execute(select(func.count()).select_from(Coupon)).scalar_one())
    redemptions = int(connection.execute(
        select(func.count()).select_from(Redemption)).scalar_one())
    notices, outbox = _outbox(connection)
    return Report(coupons, redemptions, notices,
                  [*_used(connection), *_rollup(connection), *outbox])
