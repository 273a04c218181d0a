"""The writing services run their transaction again when the database reports a conflict.

A statement of the transaction is made to fail the way each database fails it
under contention — MariaDB's 1213 (a deadlock, or Galera's certification
conflict), PostgreSQL's 40001, SQLite's "database is locked", with the
driver's own exception class — a few times; the call then succeeds, and what
it counts is counted once. A conflict on every attempt ends in ``Busy``
(``409`` with ``Retry-After`` on the API), with nothing written.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg.errors
import pymysql
import pytest
from flask import Flask
from sqlalchemy import event, func, select

from advik_coupons import Booking, redeem
from advik_coupons.domain.errors import Busy
from advik_coupons.services.amending import amend
from advik_coupons.services.cancelling import cancel
from advik_coupons.services.coupons import create_batch, update_coupon
from advik_coupons.services.ledger import record_booking
from advik_coupons.state import get_state
from advik_coupons.store import retry
from advik_coupons.store.models import Coupon, LedgerBooking, Redemption, RedemptionBucket
from tests.conftest import ApiClient, make_coupon


def conflict_for(dialect: str) -> Exception:
    if dialect in {"mysql", "mariadb"}:
        return pymysql.err.OperationalError(
            1213, "Deadlock found when trying to get lock; try restarting transaction")
    if dialect == "postgresql":
        return psycopg.errors.SerializationFailure(
            "could not serialize access due to concurrent update")
    return sqlite3.OperationalError("database is locked")


@contextmanager
def conflicts(app: Flask, pattern: str, times: int) -> Iterator[list[str]]:
    """Fail the next ``times`` statements matching ``pattern`` with a real conflict."""
    with app.app_context():
        engine = get_state(app).engine
    left = [times]
    hit: list[str] = []
    matcher = re.compile(pattern, re.I | re.S)

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if left[0] and matcher.search(statement):
            left[0] -= 1
            hit.append(statement)
            raise conflict_for(engine.dialect.name)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield hit
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.time, "sleep", lambda _s: None)


def numbers(app: Flask, coupon_id: int) -> tuple[int, int, int, int]:
    """used, redemption rows (redeemed), ledger rows, the rollup's redeemed count."""
    with app.app_context():
        session = get_state().session
        used = session.execute(select(Coupon.used).where(Coupon.id == coupon_id)).scalar_one()
        rows = session.execute(select(func.count()).select_from(Redemption).where(
            Redemption.coupon_id == coupon_id, Redemption.status == "redeemed")).scalar_one()
        ledger = session.execute(select(func.count()).select_from(LedgerBooking)).scalar_one()
        rollup = session.execute(select(func.coalesce(func.sum(RedemptionBucket.redeemed), 0))
                                 .where(RedemptionBucket.coupon_id == coupon_id)).scalar_one()
        session.rollback()
        return int(used), int(rows), int(ledger), int(rollup)


def test_redeem_that_loses_twice_is_redeemed_once(any_app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="RETRY", max_uses=5)
    with any_app.app_context(), conflicts(any_app, r"INSERT INTO advik_redemptions", 2) as hit:
        result = redeem("retry", Booking(subtotal=Decimal("80"), booking_ref="BK-R1"))
    assert len(hit) == 2 and result.created
    assert numbers(any_app, coupon_id) == (1, 1, 1, 1)


def test_redeem_conflict_on_the_use_itself_is_retried(any_app: Flask,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="HOTROW", max_uses=1)
    with any_app.app_context(), conflicts(any_app, r"UPDATE advik_coupons SET used", 3):
        assert redeem("HOTROW", Booking(subtotal=Decimal("80"), booking_ref="BK-H")).created
    assert numbers(any_app, coupon_id) == (1, 1, 1, 1)


def test_redeem_that_always_loses_is_busy_and_writes_nothing(
        any_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="ALWAYS", max_uses=5)
    with (any_app.app_context(), conflicts(any_app, r"INSERT INTO advik_redemptions", 10**6),
          pytest.raises(Busy)):
        redeem("ALWAYS", Booking(subtotal=Decimal("80"), booking_ref="BK-A"))
    assert numbers(any_app, coupon_id) == (0, 0, 0, 0)
    with any_app.app_context():  # and the same booking goes through afterwards
        assert redeem("ALWAYS", Booking(subtotal=Decimal("80"), booking_ref="BK-A")).created
    assert numbers(any_app, coupon_id) == (1, 1, 1, 1)


def test_api_answers_409_with_retry_after_when_every_attempt_lost(
        any_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    api = ApiClient(any_app)
    make_coupon(any_app, code="APIBUSY")
    with conflicts(any_app, r"INSERT INTO advik_redemptions", 10**6):
        answer = api.post("/redemptions", json={"code": "APIBUSY", "subtotal": "50",
                                                "booking_ref": "BK-API"})
    assert answer.status_code == 409, answer.json
    assert answer.headers["Retry-After"] == "1"
    assert answer.json["error"] == "busy"
    again = api.post("/redemptions", json={"code": "APIBUSY", "subtotal": "50",
                                           "booking_ref": "BK-API"})
    assert again.status_code == 201


def test_cancel_that_loses_gives_the_use_back_once(any_app: Flask,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="CANCELR", max_uses=5)
    with any_app.app_context():
        made = redeem("CANCELR", Booking(subtotal=Decimal("80"), booking_ref="BK-C"))
    with any_app.app_context(), conflicts(any_app, r"UPDATE advik_redemptions SET status", 2):
        _row, changed = cancel(made.redemption.id)
    assert changed
    used, rows, _ledger, rollup = numbers(any_app, coupon_id)
    assert (used, rows, rollup) == (0, 0, 0)


def test_record_booking_update_and_batch_are_retried(any_app: Flask,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="ADMINW")
    with any_app.app_context():
        with conflicts(any_app, r"INSERT INTO advik_bookings", 2):
            _row, created = record_booking(Booking(subtotal=Decimal("10"), booking_ref="L-1"))
        assert created
        with conflicts(any_app, r"UPDATE advik_coupons SET", 2):
            update_coupon(coupon_id, {"name": "Renamed"})
        with conflicts(any_app, r"INSERT INTO advik_coupon_codes", 1):
            _batch, codes = create_batch(coupon_id, 3, "R")
        session = get_state().session
        assert session.execute(select(func.count()).select_from(LedgerBooking)).scalar() == 1
        assert session.execute(select(Coupon.name).where(Coupon.id == coupon_id)
                               ).scalar_one() == "Renamed"
        assert len(codes) == 3


def test_amend_that_loses_is_amended_once(any_app: Flask,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    no_waits(monkeypatch)
    coupon_id = make_coupon(any_app, code="AMENDR", max_uses=5)
    with any_app.app_context():
        made = redeem("AMENDR", Booking(subtotal=Decimal("80"), booking_ref="BK-M"))
    with any_app.app_context(), conflicts(any_app, r"UPDATE advik_coupons SET used", 2) as hit:
        amended, changed = amend(made.redemption.id, Booking(subtotal=Decimal("200")))
    assert len(hit) == 2 and changed
    assert amended.subtotal == Decimal("200.00") and amended.discount == Decimal("20.00")
    assert numbers(any_app, coupon_id)[:2] == (1, 1)
