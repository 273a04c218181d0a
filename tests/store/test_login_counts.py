"""The SQL fixed-window count of failed admin log-ins, on every database."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from advik_coupons.state import get_state
from advik_coupons.store import login_counts
from advik_coupons.store.models import AdminLoginCount, utcnow


def test_counts_restart_when_the_window_ends_and_a_hold_stretches_it(any_app: Flask) -> None:
    minute = timedelta(minutes=1)
    with any_app.app_context():
        session = get_state().session
        key, now = login_counts.key_for("test", "192.0.2.1"), utcnow().replace(microsecond=0)
        assert [login_counts.hit(session, key, minute, now) for _ in range(3)] == [1, 2, 3]
        assert login_counts.current(session, key, now) == (3, now + minute)
        later = now + timedelta(minutes=2)  # the window has ended: a new one starts at 1
        assert login_counts.current(session, key, later) is None
        assert login_counts.hit(session, key, minute, later) == 1
        assert login_counts.current(session, key, later) == (1, later + minute)
        login_counts.give_back(session, key)
        assert login_counts.current(session, key, later) == (0, later + minute)
        held = login_counts.hit(session, key, minute, later, email="a@example.com",
                                hold_at=1, hold=timedelta(minutes=15))
        assert held == 1
        assert login_counts.current(session, key, later) == (1, later + timedelta(minutes=15))
        login_counts.clear(session, key)
        assert login_counts.current(session, key, later) is None


def test_a_hit_sweeps_counts_that_ended_an_hour_ago(any_app: Flask) -> None:
    minute = timedelta(minutes=1)
    with any_app.app_context():
        session = get_state().session
        now = utcnow().replace(microsecond=0)
        old, recent = login_counts.key_for("old"), login_counts.key_for("recent")
        login_counts.hit(session, old, minute, now - timedelta(hours=2))
        login_counts.hit(session, recent, minute, now - timedelta(minutes=30))
        login_counts.hit(session, login_counts.key_for("now"), minute, now)
        rows = set(session.execute(select(AdminLoginCount.key)).scalars())
        session.rollback()
        assert old not in rows and recent in rows
