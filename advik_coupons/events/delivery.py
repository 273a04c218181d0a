"""The outbox worker: claim due notices, send them, record what happened.

Claiming is safe with any number of workers (threads or processes, on one
host or many): on MySQL/MariaDB (and PostgreSQL) due rows are locked with
``SELECT ... FOR UPDATE SKIP LOCKED``; elsewhere (SQLite) each row is taken by
a conditional ``UPDATE`` that only one worker can win. A claim is a *lease*:
``claimed_until`` is set ``ADVIK_DELIVERY_LEASE_SECONDS`` ahead and the attempt
is counted. A worker claims one notice at a time, right before sending it, so a
lease covers one send, never a queue of them. A worker that dies between
claiming and sending leaves the row pending; when the lease ends another
worker sends it. The lease value is also
the claim's fencing token: a worker records its result only while the row
still carries its own lease, so one send is never recorded twice.

Retries (see :func:`retry_delay`): the n-th failure waits
``base * 4**(n-1)`` seconds (base ``ADVIK_WEBHOOK_RETRY_BASE_SECONDS``, 5 by
default), at most ``base * 8640`` (12 hours), with ±20 % jitter, or longer
when the receiver answers ``Retry-After`` (honoured up to a day). After
``MAX_ATTEMPTS`` attempts (the default base gives 5 s, 20 s, 80 s, 5 min,
21 min, 85 min, 5.7 h, then 12 h steps: about 2.8 days, close to the Standard
Webhooks schedule) the notice is ``failed``; an admin can retry it. A
``410 Gone`` answer disables the endpoint: its pending notices become
``disabled`` until an admin retries one, which sends them all again (or the URL
setting changes).
Every attempt of one event carries the same event id (``webhook-id``).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import or_, select, update

from .. import probes
from ..channels import Channel, Outgoing
from ..state import get_state
from ..store.models import HookEndpoint, OutboxMessage, utcnow

log = logging.getLogger("advik_coupons.delivery")

#: Work an outbox worker also does now and then (the lifecycle scan), in the app context.
Periodic = Callable[[], object]

MAX_ATTEMPTS = 13
FACTOR = 4
CAP_STEPS = 8640  # base * 8640 = 12 h with the default base of 5 s
MAX_RETRY_AFTER = 86_400.0
BATCH = 20
#: A notice's status after an attempt → the attempt's result (``pending``: tried again later).
ATTEMPT_RESULTS = {"pending": "retry"}
SKIP_LOCKED_DIALECTS = {"mysql", "mariadb", "postgresql"}


def retry_delay(failures: int, base: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``failures``-th failed attempt (1, 2, ...)."""
    steps = min(FACTOR ** max(failures - 1, 0), CAP_STEPS)
    jitter = (rng or random).uniform(0.8, 1.2)
    return base * steps * jitter


def schedule(base: float) -> list[float]:
    """The retry delays without jitter, for the docs and the tests."""
    return [base * min(FACTOR ** (n - 1), CAP_STEPS) for n in range(1, MAX_ATTEMPTS)]


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return min(seconds, MAX_RETRY_AFTER)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    item: Outgoing
    lease: datetime


def _lease_end(app: Flask, now: datetime) -> datetime:
    seconds = max(float(app.config.get("ADVIK_DELIVERY_LEASE_SECONDS", 60)), 1.0)
    # Whole seconds: MariaDB's DATETIME keeps no fraction, and the lease is compared as-is.
    return (now + timedelta(seconds=seconds)).replace(microsecond=0)


def _due(names: list[str], now: datetime, due_before: datetime) -> Any:
    return (select(OutboxMessage)
            .where(OutboxMessage.status == "pending",
                   OutboxMessage.next_attempt_at <= due_before,
                   OutboxMessage.channel.in_(names),
                   or_(OutboxMessage.claimed_until.is_(None),
                       OutboxMessage.claimed_until < now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id))


def _as_claim(row: OutboxMessage, lease: datetime) -> Claim:
    return Claim(Outgoing(row_id=row.id, event_id=row.event_id, event_type=row.event_type,
                          channel=row.channel, payload=row.payload, attempt=row.attempts,
                          created_at=row.created_at), lease)


def claim(app: Flask, names: Iterable[str], limit: int = BATCH,
          now: datetime | None = None, due_before: datetime | None = None) -> list[Claim]:
    """Take up to ``limit`` due notices of the channels ``names`` for this worker.

    ``due_before`` (default: now) is the latest ``next_attempt_at`` taken.
    """
    wanted = sorted(set(names))
    if not wanted:
        return []
    session = get_state(app).session
    now = now or utcnow()
    due_before = due_before or now
    lease = _lease_end(app, now)
    claims: list[Claim] = []
    try:
        due = _due(wanted, now, due_before)
        if session.get_bind().dialect.name in SKIP_LOCKED_DIALECTS:
            rows = list(session.execute(
                due.limit(limit).with_for_update(skip_locked=True)).scalars())
            for row in rows:
                row.claimed_until = lease
                row.attempts += 1
            session.flush()
            claims = [_as_claim(row, lease) for row in rows]
        else:
            ids = list(session.execute(due.with_only_columns(OutboxMessage.id)
                                       .limit(limit)).scalars())
            for row_id in ids:
                won = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending",
                           or_(OutboxMessage.claimed_until.is_(None),
                               OutboxMessage.claimed_until < now))
                    .values(claimed_until=lease, attempts=OutboxMessage.attempts + 1)
                    .execution_options(synchronize_session=False))
                if won.rowcount == 1:  # type: ignore[attr-defined]
                    row = session.execute(select(OutboxMessage).where(
                        OutboxMessage.id == row_id).execution_options(
                        populate_existing=True)).scalar_one()
                    claims.append(_as_claim(row, lease))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return claims


def _finish(app: Flask, claimed: Claim, **values: Any) -> bool:
    """Record an outcome if this worker still holds the row's lease."""
    session = get_state(app).session
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.item.row_id, OutboxMessage.status == "pending",
               OutboxMessage.claimed_until == claimed.lease)
        .values(claimed_until=None, **values).execution_options(synchronize_session=False))
    session.commit()
    if done.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("outbox row %s: lease lost before the result was recorded",
                    claimed.item.row_id)
        return False
    return True


def disable_endpoint(app: Flask, channel: Channel, reason: str) -> None:
    """Turn ``channel``'s endpoint off and park its pending notices as ``disabled``."""
    session = get_state(app).session
    row = session.get(HookEndpoint, channel.name)
    digest = endpoint_hash(channel.endpoint)
    if row is None:
        session.add(HookEndpoint(channel=channel.name, endpoint_hash=digest,
                                 disabled_at=utcnow(), reason=reason[:255]))
    else:
        row.endpoint_hash, row.disabled_at, row.reason = digest, utcnow(), reason[:255]
    session.commit()
    park(app, channel.name, reason)
    log.error("%s endpoint disabled: %s", channel.name, reason)


def park(app: Flask, name: str, reason: str) -> int:
    """Mark the pending notices of a disabled channel ``disabled``; returns how many."""
    session = get_state(app).session
    parked = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == name, OutboxMessage.status == "pending",
               or_(OutboxMessage.claimed_until.is_(None),
                   OutboxMessage.claimed_until < utcnow()))
        .values(status="disabled", last_error=reason, claimed_until=None)
        .execution_options(synchronize_session=False))
    session.commit()
    return int(parked.rowcount)  # type: ignore[attr-defined]


def disabled_channels(app: Flask, channels: Iterable[Channel]) -> set[str]:
    """Names of the channels whose current endpoint is disabled."""
    by_name = {c.name: c for c in channels}
    if not by_name:
        return set()
    session = get_state(app).session
    rows = session.execute(select(HookEndpoint).where(
        HookEndpoint.channel.in_(list(by_name)))).scalars().all()
    session.rollback()
    return {r.channel for r in rows
            if r.endpoint_hash == endpoint_hash(by_name[r.channel].endpoint)}


def send_one(app: Flask, channel: Channel, claimed: Claim) -> str:
    """Send one claimed notice and record the outcome; returns the new status."""
    assert channel.send is not None
    item = claimed.item
    status_code: int | None = None
    retry_after: float | None = None
    try:
        response = channel.send(item)
        status_code = response.status_code
        if 200 <= status_code < 300:
            _finish(app, claimed, status="delivered", delivered_at=utcnow(),
                    last_status=status_code, last_error=None)
            return "delivered"
        error = f"HTTP {status_code}: {response.text[:300]}".strip()
        if status_code == 410:
            if _finish(app, claimed, status="disabled", last_status=410, last_error=error):
                disable_endpoint(app, channel, f"410 Gone from {channel.endpoint}")
            return "disabled"
        retry_after = parse_retry_after(response.headers.get("retry-after"), utcnow())
    except httpx.TimeoutException as exc:
        error = f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a sender's own bug must not stop the worker
        log.exception("sender of %s raised", channel.name)
        error = f"{type(exc).__name__}: {exc}"[:500]
    if item.attempt >= MAX_ATTEMPTS:
        _finish(app, claimed, status="failed", last_status=status_code,
                last_error=f"gave up after {item.attempt} attempts; last: {error}")
        return "failed"
    base = float(app.config.get("ADVIK_WEBHOOK_RETRY_BASE_SECONDS", 5.0))
    wait = max(retry_delay(item.attempt, base), retry_after or 0.0)
    _finish(app, claimed, next_attempt_at=utcnow() + timedelta(seconds=wait),
            last_status=status_code, last_error=error)
    return "pending"


def drain_once(app: Flask, limit: int = BATCH, due_before: datetime | None = None) -> int:
    """Send up to ``limit`` due notices, each claimed just before its send; returns how many.

    Each claim takes one notice, so its lease starts when its send starts: a slow
    receiver never lets the lease of a notice still waiting in this worker run out
    (which would let another worker send it too).
    """
    with app.app_context():
        state = get_state(app)
        senders = {c.name: c for c in state.channels if c.send is not None}
        off = disabled_channels(app, senders.values())
        for name in off:
            senders.pop(name)
            park(app, name, "endpoint disabled after 410 Gone; retry one notice to re-enable")
        taken = 0
        while taken < limit:  # one notice per claim: each lease covers one send only
            claims = claim(app, senders, 1, due_before=due_before)
            if not claims:
                break
            taken += 1
            claimed = claims[0]
            status = send_one(app, senders[claimed.item.channel], claimed)
            probes.delivery_attempted.send(app, channel=claimed.item.channel,
                                           result=ATTEMPT_RESULTS.get(status, status))
        return taken


def drain(app: Flask, periodic: Periodic | None = None) -> int:
    """Send everything due now (``deliver --once``); returns how many were tried.

    ``periodic`` (the lifecycle scan) runs first, once. A notice that fails is not
    tried again by the same call (its next attempt is later than the moment the
    call started).
    """
    if periodic is not None:
        _run_periodic(app, periodic)
    total = 0
    started = utcnow()
    while True:
        count = drain_once(app, due_before=started)
        total += count
        if count == 0:
            return total


def _run_periodic(app: Flask, periodic: Periodic) -> None:
    try:
        with app.app_context():
            periodic()
    except Exception:  # a failed scan is tried again at the next interval
        log.exception("outbox worker: the periodic scan failed")


def run(app: Flask, stop: threading.Event, poll_seconds: float = 1.0,
        periodic: Periodic | None = None) -> None:
    """The worker loop: drain, then sleep ``poll_seconds`` when idle, until ``stop``.

    ``periodic`` (the lifecycle scan) runs every ``ADVIK_LIFECYCLE_SCAN_SECONDS``.
    """
    failing_since: float | None = None
    every = max(float(app.config.get("ADVIK_LIFECYCLE_SCAN_SECONDS") or 60.0), 1.0)
    next_scan = time.monotonic()
    while not stop.is_set():
        if periodic is not None and time.monotonic() >= next_scan:
            next_scan = time.monotonic() + every
            _run_periodic(app, periodic)
        try:
            busy = drain_once(app) > 0
            failing_since = None
        except Exception:  # the database may be down for a while: keep trying
            if failing_since is None or time.monotonic() - failing_since > 60:
                log.exception("outbox worker: drain failed; retrying every %.1f s", poll_seconds)
                failing_since = time.monotonic()
            busy = False
        if not busy:
            stop.wait(poll_seconds)


def start_thread(app: Flask, poll_seconds: float = 1.0,
                 periodic: Periodic | None = None) -> threading.Event:
    """Run :func:`run` in a daemon thread of this process (once per app)."""
    state = get_state(app)
    with state.lock:
        running = state.delivery_stop
        if running is not None and not running.is_set():
            return running
        stop = state.delivery_stop = threading.Event()
    threading.Thread(target=run, args=(app, stop, poll_seconds, periodic),
                     name="advik-delivery", daemon=True).start()
    return stop


def retry(app: Flask, row_id: int) -> bool:
    """Send a ``failed`` or ``disabled`` notice again from a fresh schedule.

    Retrying a ``disabled`` notice re-enables its channel's endpoint and sends every
    notice parked with it again (each from a fresh schedule). Returns
    False when the row is not in a state that can be retried.
    """
    with app.app_context():
        session = get_state(app).session
        row = session.get(OutboxMessage, row_id)
        if row is None or row.status not in {"failed", "disabled"}:
            session.rollback()
            return False
        if row.status == "disabled":
            endpoint = session.get(HookEndpoint, row.channel)
            if endpoint is not None:
                session.delete(endpoint)
            # The endpoint is back: every notice parked with it goes out again, not just this one.
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.channel == row.channel, OutboxMessage.status == "disabled",
                       OutboxMessage.id != row.id)
                .values(status="pending", attempts=0, next_attempt_at=utcnow(),
                        claimed_until=None)
                .execution_options(synchronize_session=False))
        row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
        row.claimed_until = None
        session.commit()
        return True
