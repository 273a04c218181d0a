"""store/retry.py: which driver errors are conflicts, and how a body is run again.

The errors are the drivers' own exception classes with the codes the servers
send (PyMySQL's ``(1213, 'Deadlock found …')``, psycopg's SQLSTATE classes,
sqlite3's "database is locked"), bare and wrapped by SQLAlchemy as the
services see them.
"""

from __future__ import annotations

import logging
import random
import sqlite3

import psycopg
import psycopg.errors
import pymysql
import pytest
from sqlalchemy import exc as sa_exc

from advik_coupons.domain.errors import Busy
from advik_coupons.store import retry

DEADLOCK = pymysql.err.OperationalError(
    1213, "Deadlock found when trying to get lock; try restarting transaction")
CONFLICTS = [
    (DEADLOCK, "deadlock"),
    (pymysql.err.OperationalError(1205, "Lock wait timeout exceeded; try restarting "
                                        "transaction"), "lock wait timeout"),
    (pymysql.err.OperationalError(1180, "WSREP detected deadlock/conflict and aborted "
                                        "the transaction. Try restarting the transaction"),
     "certification conflict"),
    (psycopg.errors.SerializationFailure("could not serialize access due to concurrent "
                                         "update"), "serialization failure"),
    (psycopg.errors.DeadlockDetected("deadlock detected"), "deadlock"),
    (sqlite3.OperationalError("database is locked"), "database is locked"),
]
NOT_CONFLICTS = [
    pymysql.err.OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1'"),
    pymysql.err.OperationalError(1047, "WSREP has not yet prepared node for application use"),
    pymysql.err.IntegrityError(1062, "Duplicate entry 'B-1' for key 'uq'"),
    psycopg.OperationalError("connection failed: Connection refused"),
    psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"),
    sqlite3.OperationalError("no such table: advik_coupons"),
    ValueError("not a database error"),
]


def wrapped(error: Exception) -> sa_exc.DBAPIError:
    """The error as SQLAlchemy raises it from a statement."""
    return sa_exc.DBAPIError.instance("UPDATE advik_coupons …", {}, error, type(error))


@pytest.mark.parametrize(("error", "kind"), CONFLICTS, ids=lambda v: str(v)[:30])
def test_conflicts_are_recognised_bare_and_wrapped(error: Exception, kind: str) -> None:
    assert retry.conflict_kind(error) == kind
    assert retry.conflict_kind(wrapped(error)) == kind
    assert isinstance(wrapped(error), sa_exc.OperationalError)  # what dbdown used to 503


@pytest.mark.parametrize("error", NOT_CONFLICTS, ids=lambda v: str(v)[:30])
def test_other_errors_are_not_conflicts(error: Exception) -> None:
    assert not retry.is_conflict(error)
    if not isinstance(error, ValueError):
        assert not retry.is_conflict(wrapped(error))


class Flaky:
    """A transaction body that loses ``conflicts`` times, then commits."""

    def __init__(self, conflicts: int, error: Exception = DEADLOCK) -> None:
        self.left = conflicts
        self.error = error
        self.calls = 0
        self.rollbacks = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise wrapped(self.error)
        return "committed"

    def rollback(self) -> None:
        self.rollbacks += 1


def test_a_body_that_loses_twice_runs_three_times_and_logs_once(
        caplog: pytest.LogCaptureFixture) -> None:
    body = Flaky(2)
    waits: list[float] = []
    with caplog.at_level(logging.DEBUG, logger="advik_coupons.db"):
        assert retry.run(body, rollback=body.rollback, what="redeem",
                         sleep=waits.append) == "committed"
    assert (body.calls, body.rollbacks, len(waits)) == (3, 2, 2)
    assert all(0 < wait <= retry.CAP for wait in waits)
    lines = [r for r in caplog.records if r.name == "advik_coupons.db"]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG
    assert "redeem: committed on attempt 3 after deadlock, deadlock" in lines[0].getMessage()


def test_a_body_that_always_loses_raises_busy_after_the_bound() -> None:
    body = Flaky(10**6, psycopg.errors.SerializationFailure("could not serialize"))
    with pytest.raises(Busy) as raised:
        retry.run(body, rollback=body.rollback, what="cancel", sleep=lambda _s: None)
    assert body.calls == body.rollbacks == retry.ATTEMPTS
    assert raised.value.attempts == retry.ATTEMPTS
    assert raised.value.as_json()["error"] == "busy"
    assert isinstance(raised.value.__cause__, sa_exc.OperationalError)


def test_other_errors_propagate_at_once_without_a_retry() -> None:
    body = Flaky(1, pymysql.err.OperationalError(2003, "Can't connect"))
    with pytest.raises(sa_exc.OperationalError):
        retry.run(body, rollback=body.rollback, sleep=lambda _s: None)
    assert (body.calls, body.rollbacks) == (1, 0)


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    firsts = {retry.backoff(1, rng) for _ in range(50)}
    assert len(firsts) > 40, "jittered"
    assert all(retry.BASE_DELAY / 4 <= w <= retry.BASE_DELAY for w in firsts)
    assert all(retry.backoff(30, rng) <= retry.CAP for _ in range(50))
    assert max(retry.backoff(4, rng) for _ in range(50)) > retry.BASE_DELAY * 4
