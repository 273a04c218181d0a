"""Prometheus metrics at ``ADVIK_METRICS_PATH`` (off by default), counted from hooks.

Nothing in the services knows about metrics. What is counted comes from:

* the app's request hooks, for the three money paths (``apply`` =
  ``POST /coupons/apply``, ``quote`` = ``POST /api/v1/quote``, ``redeem`` =
  ``POST /api/v1/redemptions``): one latency observation and one outcome per
  request, the outcome read from the answer (``applied``, ``redeemed``,
  ``repeat`` for a booking sent again, ``rejected`` with the reason code of the
  ``422``, ``invalid``, ``rate_limited``, ``busy``, ``unavailable``…); and
  every ``429`` of the plugin's endpoints;
* the operational signals of :mod:`advik_coupons.probes`: retried database
  conflicts, Redis fallbacks of the rate limits, outbox delivery attempts;
* at scrape time, the outbox backlog read from the database
  (:mod:`advik_coupons.store.backlog`).

Every label comes from a closed set (operations, outcomes, the reason codes of
:data:`~advik_coupons.domain.messages.REASONS`, endpoint and channel names):
never a code, an e-mail or a token.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
before the workers start; each process then writes its counts there and a
scrape of any worker reads them all (``prometheus_client``'s multiprocess
mode). ``ADVIK_METRICS_TOKEN`` makes the endpoint ask for
``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from werkzeug.wrappers import Response

from .. import probes
from ..domain.messages import REASONS
from ..state import get_state
from ..store.backlog import outbox_backlog
from ..store.models import utcnow

log = logging.getLogger("advik_coupons.metrics")

#: The endpoints timed and counted, and the operation each one is.
OPERATIONS = {"advik_checkout.apply": "apply", "advik_api.quote": "quote",
              "advik_api.redeem": "redeem"}
#: An answer's status → its outcome (``200`` and ``422`` are read more closely).
OUTCOMES = {201: "redeemed", 400: "invalid", 401: "unauthorized", 403: "unauthorized",
            409: "busy", 413: "too_large", 429: "rate_limited", 503: "unavailable"}
_REASONS = frozenset(REASONS)
#: Seconds; apply's goal is tens of milliseconds, so the low end is fine-grained.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.075, 0.1,
                   0.25, 0.5, 1.0, 2.5)

ATTEMPTS = Counter("advik_coupon_attempts", "Applies, quotes and redemptions by outcome "
                   "and reason code", ["operation", "outcome", "reason"])
LATENCY = Histogram("advik_request_duration_seconds", "Time to answer apply, quote and "
                    "redeem, in seconds", ["operation"], buckets=LATENCY_BUCKETS)
RATE_LIMITED = Counter("advik_rate_limited", "Requests refused with 429 by a rate limit",
                       ["endpoint"])
CONFLICTS = Counter("advik_db_conflicts", "Transactions lost to a database conflict and "
                    "run again (gave_up: the last try of a request answered 409)",
                    ["kind", "gave_up"])
FALLBACKS = Counter("advik_ratelimit_storage_fallbacks", "Times the rate-limit storage "
                    "(Redis) failed and counts went to process memory", ["what"])
DELIVERIES = Counter("advik_delivery_attempts", "Outbox notices sent, by channel and "
                     "result", ["channel", "result"])

_connected = threading.Lock()
_receivers: list[Any] = []


def _conflict(_sender: object, *, kind: str, gave_up: bool) -> None:
    CONFLICTS.labels(kind, "true" if gave_up else "false").inc()


def _fallback(_sender: object, *, what: str) -> None:
    FALLBACKS.labels(what).inc()


def _delivery(_sender: object, *, channel: str, result: str) -> None:
    DELIVERIES.labels(channel, result).inc()


def connect_probes() -> None:
    """Count the operational signals (once per process, whatever the number of apps)."""
    with _connected:
        if _receivers:
            return
        for signal, receiver in ((probes.conflict_retried, _conflict),
                                 (probes.storage_fell_back, _fallback),
                                 (probes.delivery_attempted, _delivery)):
            signal.connect(receiver, weak=False)
            _receivers.append(receiver)


def outcome_of(operation: str, response: Response) -> tuple[str, str]:
    """(outcome, reason) of one answer; the reason only for a ``422``."""
    status = response.status_code
    if status == 200:
        return ("repeat" if operation == "redeem" else "applied"), ""
    if status == 422:
        body = response.get_json(silent=True)
        reason = body.get("reason") if isinstance(body, dict) else None
        return "rejected", reason if reason in _REASONS else "other"
    return OUTCOMES.get(status, "error"), ""


def _start() -> None:
    if request.endpoint in OPERATIONS:
        g.advik_started = time.perf_counter()


#: Each operation's histogram child, and each (operation, outcome, reason)'s counter child
#: once seen: ``labels()`` takes a lock and builds a key on every call.
_latency = {operation: LATENCY.labels(operation) for operation in set(OPERATIONS.values())}
_attempts: dict[tuple[str, str, str], Any] = {}


def _attempt(operation: str, outcome: str, reason: str) -> Any:
    key = (operation, outcome, reason)
    child = _attempts.get(key)
    if child is None:
        child = _attempts[key] = ATTEMPTS.labels(*key)
    return child


def _finish(response: Response) -> Response:
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is not None:
        started = g.get("advik_started")
        if started is not None:
            _latency[operation].observe(time.perf_counter() - started)
        _attempt(operation, *outcome_of(operation, response)).inc()
    if response.status_code == 429 and (request.blueprint or "").startswith("advik"):
        RATE_LIMITED.labels(request.endpoint or "").inc()
    return response


class OutboxCollector(Collector):
    """The outbox backlog of one app's database, read at each scrape."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        notices = GaugeMetricFamily("advik_outbox_notices", "Outbox notices not delivered, "
                                    "by channel and status", labels=["channel", "status"])
        oldest = GaugeMetricFamily("advik_outbox_oldest_due_seconds", "Age of the oldest "
                                   "notice that is due to be sent (0: none)",
                                   labels=["channel"])
        up = GaugeMetricFamily("advik_outbox_readable", "1 when the outbox could be read "
                               "for this scrape")
        now = utcnow()
        try:
            with get_state(self.app).engine.connect() as connection:
                backlog = outbox_backlog(connection, now)
        except Exception as exc:  # noqa: BLE001 - a scrape must answer when the db is down
            log.warning("metrics: outbox not readable: %s", str(exc).replace("\n", " ")[:300])
            up.add_metric([], 0)
            yield up
            return
        ages: dict[str, float] = {}
        for row in backlog:
            notices.add_metric([row.channel, row.status], row.count)
            age = (now - row.oldest_due).total_seconds() if row.oldest_due else 0.0
            ages[row.channel] = max(ages.get(row.channel, 0.0), age)
        for channel, age in ages.items():
            oldest.add_metric([channel], max(age, 0.0))
        up.add_metric([], 1)
        yield from (notices, oldest, up)


def scrape(app: Flask) -> bytes:
    """The exposition text: every process's counts, then this database's outbox."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    database = CollectorRegistry(auto_describe=False)
    database.register(OutboxCollector(app))
    return counted + generate_latest(database)


def register(app: Flask) -> None:
    """Serve the metrics at ``ADVIK_METRICS_PATH`` and count ``app``'s requests; no-op
    when the setting is empty."""
    path = str(app.config.get("ADVIK_METRICS_PATH") or "").strip()
    if not path:
        return
    token = str(app.config.get("ADVIK_METRICS_TOKEN") or "")
    connect_probes()
    app.before_request(_start)
    app.after_request(_finish)

    def metrics() -> Response:
        if token and not hmac.compare_digest(
                request.headers.get("Authorization", ""), f"Bearer {token}"):
            return Response("metrics need the bearer token\n", 401,
                            {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
        return Response(scrape(app), 200, {"Cache-Control": "no-store"},
                        content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule("/" + path.lstrip("/"), "advik_metrics", metrics, methods=["GET"])
