"""The coarser rollups (store/spans.py): a slot range is covered exactly by whole spans,
and every coupon's totals read from them equal the slots' own sums, kept by redeem,
cancel and amend and by a rebuild alike, on every database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from advik_coupons.state import get_state
from advik_coupons.store import spans
from advik_coupons.store.models import RedemptionBucket, RedemptionSpan
from advik_coupons.store.tracking import bucket_of, rebuild_buckets
from tests.conftest import ApiClient, coupon_fields

SLOTS = st.integers(min_value=0, max_value=3_000_000)


@given(SLOTS, SLOTS)
def test_pieces_cover_the_range_exactly_once(a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    covered = spans.pieces(lo, hi)
    ranges = sorted((first * span, end * span) for span, first, end in covered)
    assert all(first < end for _span, first, end in covered)
    assert [r for r in ranges if r[0] < r[1]] == ranges
    joined = lo
    for start, stop in ranges:
        assert start == joined
        joined = stop
    assert joined == (hi if lo < hi else lo)
    assert len(covered) <= 5  # slots, days, blocks, days, slots


def test_a_year_reads_blocks_in_the_middle() -> None:
    lo = bucket_of(datetime(2026, 1, 1, 5, tzinfo=UTC))
    hi = bucket_of(datetime(2027, 1, 1, 5, tzinfo=UTC))
    kinds = [span for span, _first, _end in spans.pieces(lo, hi)]
    assert kinds == [1, 96, 3072, 96, 1]


def slot_sums(app: Flask, lo: int, hi: int) -> dict[int, tuple[int, int, int]]:
    b = RedemptionBucket
    with app.app_context():
        rows = get_state().session.execute(
            select(b.coupon_id, func.sum(b.redeemed), func.sum(b.subtotal_cents),
                   func.sum(b.discount_cents))
            .where(b.bucket >= lo, b.bucket < hi).group_by(b.coupon_id)).all()
    return {int(c): (int(r), int(s), int(d)) for c, r, s, d in rows}


def span_rows(app: Flask) -> list[tuple[int, ...]]:
    with app.app_context():
        rows = get_state().session.execute(select(RedemptionSpan)).scalars().all()
        return sorted((r.coupon_id, r.span, r.start, r.redeemed, r.cancelled,
                       r.subtotal_cents, r.discount_cents) for r in rows)


def test_totals_match_the_slots_through_redeem_cancel_amend_and_rebuild(
        any_app: Flask, any_api: ApiClient) -> None:
    ids = [any_api.post("/coupons", json=coupon_fields(code=f"SPAN{n}")).json["id"]
           for n in range(3)]
    rng = random.Random(7)
    made = []
    for n in range(40):
        r = any_api.post("/redemptions", json={
            "code": f"SPAN{rng.randrange(3)}", "booking_ref": f"sp-{n}",
            "subtotal": f"{rng.randrange(20, 300)}.{rng.randrange(100):02d}"})
        assert r.status_code == 201, r.json
        made.append(r.json["id"])
    for redemption_id in made[:5]:
        assert any_api.post(f"/redemptions/{redemption_id}/cancel").status_code == 200
    assert any_api.patch(f"/redemptions/{made[6]}",
                         json={"subtotal": "12.34"}).status_code == 200
    now = datetime.now(UTC)
    # Move the slots (and so the spans) apart in time, as a year of bookings would be.
    with any_app.app_context():
        session = get_state().session
        for n, coupon_id in enumerate(ids):
            shift = bucket_of(now - timedelta(days=40 * n)) - bucket_of(now)
            session.execute(RedemptionBucket.__table__.update()
                            .where(RedemptionBucket.coupon_id == coupon_id)
                            .values(bucket=RedemptionBucket.bucket + shift))
        spans.rebuild(session)
        session.commit()
    kept = span_rows(any_app)
    for days in (1, 31, 45, 100, 400):
        lo, hi = bucket_of(now - timedelta(days=days)) + 37, bucket_of(now) + 3
        with any_app.app_context():
            assert spans.totals(get_state().session, lo, hi) == slot_sums(any_app, lo, hi)
    with any_app.app_context():
        session = get_state().session
        rebuild_buckets(session)  # from the redemptions again: the slots move back
        session.commit()
    lo, hi = bucket_of(now - timedelta(days=2)), bucket_of(now) + 1
    with any_app.app_context():
        found = spans.totals(get_state().session, lo, hi)
    assert found == slot_sums(any_app, lo, hi)
    assert sum(r for r, _s, _d in found.values()) == 35
    assert kept != span_rows(any_app)


def test_the_write_path_keeps_spans_equal_to_a_rebuild(any_app: Flask,
                                                       any_api: ApiClient) -> None:
    any_api.post("/coupons", json=coupon_fields(code="KEPT"))
    ids = [any_api.post("/redemptions", json={
        "code": "KEPT", "booking_ref": f"k-{n}", "subtotal": str(Decimal("40") + n)}).json["id"]
        for n in range(6)]
    any_api.post(f"/redemptions/{ids[0]}/cancel")
    any_api.patch(f"/redemptions/{ids[1]}", json={"subtotal": "99.99"})
    kept = span_rows(any_app)
    with any_app.app_context():
        session = get_state().session
        rebuild_buckets(session)
        session.commit()
    assert kept and span_rows(any_app) == kept
