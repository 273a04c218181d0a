"""Conflicts are retried, not reported: run a transaction's body again when the
database chose it as the loser of a conflict.

A transaction that meets another one on the same rows can be rolled back by
the database itself, with nothing wrong in the request: a deadlock or a
lock-wait timeout (MySQL/MariaDB 1213 and 1205), a Galera certification
conflict between two nodes that wrote the same row (MariaDB reports it as
1213 "Deadlock found … try restarting transaction", or a ``WSREP`` message),
PostgreSQL's serialization failure and deadlock (SQLSTATE 40001 and 40P01),
or SQLite's "database is locked". :func:`is_conflict` tells those from every
other error, per driver; :func:`run` rolls back and runs the body again from
the start of its transaction — at most :data:`ATTEMPTS` times, with jittered
exponential back-off — and logs one debug line for the call, not one per try.
When every attempt lost, it raises :class:`~advik_coupons.domain.errors.Busy`
(answered ``409`` with ``Retry-After``; see docs/contracts.md): never the
``503`` kept for a database that cannot be reached.

Running a body again is safe because a conflict rolled all of it back: the
body's reads and writes happen again on what is committed now. A redemption
is idempotent by ``booking_ref`` besides (a unique key), so a body that
committed — and a client that sends the same booking again — never counts twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from .. import probes
from ..domain.errors import Busy

log = logging.getLogger("advik_coupons.db")

T = TypeVar("T")

#: How many times a transaction runs before :class:`Busy` (the first try included).
#: Writes to one hot row from every node of a Galera cluster lose about two tries in
#: three there (tests/production/test_production_galera.py: 300 at once over three
#: nodes needed up to 10), so the bound is set for that; on one server a conflict
#: rarely happens twice in a row.
ATTEMPTS = 20
#: The first back-off's upper bound, in seconds; it doubles per attempt up to :data:`CAP`
#: (20 lost tries wait about 3.5 s in all at most).
BASE_DELAY = 0.005
CAP = 0.2

MYSQL_CONFLICTS = {1213: "deadlock", 1205: "lock wait timeout"}
POSTGRES_CONFLICTS = {"40001": "serialization failure", "40P01": "deadlock"}


def conflict_kind(error: BaseException) -> str | None:
    """What kind of conflict ``error`` is (``"deadlock"``…), or None for any other error.

    ``error`` may be SQLAlchemy's wrapper (its ``orig`` is the driver's exception)
    or the driver's exception itself.
    """
    orig = getattr(error, "orig", None) or error
    sqlstate = getattr(orig, "sqlstate", None)  # psycopg 3
    if isinstance(sqlstate, str):
        return POSTGRES_CONFLICTS.get(sqlstate)
    module = type(orig).__module__.split(".")[0]
    args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
    if module == "pymysql" or module == "MySQLdb":
        code = args[0] if args and isinstance(args[0], int) else None
        if code in MYSQL_CONFLICTS:
            return MYSQL_CONFLICTS[code]
        message = str(args[1] if len(args) > 1 else orig)
        if "WSREP" in message and ("conflict" in message or "deadlock" in message.lower()):
            return "certification conflict"
        return None
    if module == "sqlite3" and "database is locked" in str(orig):
        return "database is locked"
    return None


def is_conflict(error: BaseException) -> bool:
    return conflict_kind(error) is not None


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempt``-th lost try: full jitter up to a doubling cap."""
    ceiling = min(CAP, BASE_DELAY * 2 ** (attempt - 1))
    return (rng or random).uniform(ceiling / 4, ceiling)


def run(body: Callable[[], T], *, rollback: Callable[[], object] | None = None,
        what: str = "transaction", attempts: int = ATTEMPTS,
        sleep: Callable[[float], object] = time.sleep) -> T:
    """``body()``, run again from the start while the database rejects it as a conflict.

    ``body`` opens (or continues) its transaction and commits it; ``rollback``
    ends a failed one before the next try (the session's ``rollback``; not needed
    when ``body`` uses ``engine.begin()``). Any other error propagates at once.
    """
    lost: list[str] = []
    while True:
        try:
            result = body()
        except Exception as error:
            kind = conflict_kind(error)
            if kind is None:
                raise
            if rollback is not None:
                rollback()
            lost.append(kind)
            probes.conflict_retried.send(None, kind=kind, gave_up=len(lost) >= attempts)
            if len(lost) >= attempts:
                log.debug("%s: gave up after %d conflicts (%s)", what, len(lost),
                          ", ".join(lost))
                raise Busy(what, len(lost)) from error
            sleep(backoff(len(lost)))
            continue
        if lost:
            log.debug("%s: committed on attempt %d after %s", what, len(lost) + 1,
                      ", ".join(lost))
        return result
