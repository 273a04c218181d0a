"""The Prometheus endpoint: off by default; after known traffic the counts, latencies,
refusals, outbox backlog, deliveries, conflicts and fallbacks move by exactly that."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from advik_coupons.events.delivery import drain_once
from advik_coupons.store.retry import run
from advik_coupons.web.limitstore import LimitStore
from tests.conftest import ApiClient, coupon_fields, make_app
from tests.hook_receiver import Receiver, webhook_config
from tests.production.servers import free_port

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(app: Flask, **headers: str) -> Samples:
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain")
    return samples(response.get_data(as_text=True))


@pytest.fixture
def metered(sqlite_url: str, tmp_path: Path) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_METRICS_PATH="/metrics")


def test_metrics_are_off_by_default(app: Flask) -> None:
    assert app.test_client().get("/metrics").status_code == 404


def test_applies_quotes_and_redemptions_are_counted_by_outcome(metered: Flask) -> None:
    api = ApiClient(metered)
    assert api.post("/coupons", json=coupon_fields(code="METER10",
                                                   min_subtotal="50")).status_code == 201
    client = metered.test_client()
    before = scrape(metered)
    answers = [
        client.post("/coupons/apply", json={"code": "METER10", "subtotal": "80",
                                            "email": "ann.secret@example.com"}),
        client.post("/coupons/apply", json={"code": "METER10", "subtotal": "20"}),
        client.post("/coupons/apply", json={"code": "NOSUCHSECRET", "subtotal": "80"}),
        client.post("/coupons/apply", json={"code": "METER10"}),
        api.post("/quote", json={"code": "METER10", "subtotal": "90"}),
        api.post("/redemptions", json={"code": "METER10", "subtotal": "90",
                                       "booking_ref": "B-1"}),
        api.post("/redemptions", json={"code": "METER10", "subtotal": "90",
                                       "booking_ref": "B-1"}),
        api.post("/redemptions", json={"code": "METER10", "subtotal": "10",
                                       "booking_ref": "B-2"}),
    ]
    assert [a.status_code for a in answers] == [200, 422, 422, 400, 200, 201, 200, 422]
    after = scrape(metered)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    attempts = "advik_coupon_attempts_total"
    assert moved(attempts, operation="apply", outcome="applied", reason="") == 1
    assert moved(attempts, operation="apply", outcome="rejected", reason="below_minimum") == 1
    assert moved(attempts, operation="apply", outcome="rejected", reason="not_found") == 1
    assert moved(attempts, operation="apply", outcome="invalid", reason="") == 1
    assert moved(attempts, operation="quote", outcome="applied", reason="") == 1
    assert moved(attempts, operation="redeem", outcome="redeemed", reason="") == 1
    assert moved(attempts, operation="redeem", outcome="repeat", reason="") == 1
    assert moved(attempts, operation="redeem", outcome="rejected", reason="below_minimum") == 1
    latency = "advik_request_duration_seconds_count"
    assert moved(latency, operation="apply") == 4
    assert moved(latency, operation="quote") == 1
    assert moved(latency, operation="redeem") == 3
    assert moved("advik_request_duration_seconds_bucket", operation="apply", le="+Inf") == 4
    text = metered.test_client().get("/metrics").get_data(as_text=True)
    for secret in ("METER10", "NOSUCHSECRET", "ann.secret", "example.com", api.token):
        assert secret not in text


def test_rate_limit_refusals_are_counted(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_METRICS_PATH="/metrics",
                   ADVIK_APPLY_RATE_LIMIT="2/minute")
    client = app.test_client()
    before = scrape(app)
    codes = [client.post("/coupons/apply", json={"code": "NONE", "subtotal": "5"}).status_code
             for _ in range(3)]
    assert codes == [422, 422, 429]
    after = scrape(app)
    name = "advik_rate_limited_total"
    endpoint = "advik_checkout.apply"
    assert value(after, name, endpoint=endpoint) - value(before, name, endpoint=endpoint) == 1
    attempts = "advik_coupon_attempts_total"
    labels = {"operation": "apply", "outcome": "rate_limited", "reason": ""}
    assert value(after, attempts, **labels) - value(before, attempts, **labels) == 1


def test_outbox_backlog_and_delivery_attempts(sqlite_url: str, tmp_path: Path,
                                              receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_METRICS_PATH="/metrics",
                   **webhook_config(receiver))
    api = ApiClient(app)
    api.post("/coupons", json=coupon_fields(code="OUTBOX10"))
    assert api.post("/redemptions", json={"code": "OUTBOX10", "subtotal": "90",
                                          "booking_ref": "B-9"}).status_code == 201
    waiting = scrape(app)
    assert value(waiting, "advik_outbox_notices", channel="webhook", status="pending") == 1
    assert value(waiting, "advik_outbox_oldest_due_seconds", channel="webhook") >= 0
    assert value(waiting, "advik_outbox_readable") == 1
    receiver.script = [(503, {}, 0.0)]
    before = scrape(app)
    assert drain_once(app) == 1
    retried = scrape(app)
    name = "advik_delivery_attempts_total"
    assert (value(retried, name, channel="webhook", result="retry")
            - value(before, name, channel="webhook", result="retry")) == 1
    assert value(retried, "advik_outbox_notices", channel="webhook", status="pending") == 1
    time.sleep(0.1)  # the retry's back-off (base 0.01 s)
    assert drain_once(app) == 1
    done = scrape(app)
    assert (value(done, name, channel="webhook", result="delivered")
            - value(before, name, channel="webhook", result="delivered")) == 1
    assert value(done, "advik_outbox_notices", channel="webhook", status="pending") == 0


def test_an_unreadable_outbox_does_not_break_the_scrape(tmp_path: Path) -> None:
    app = make_app(f"mysql+pymysql://root@127.0.0.1:{free_port()}/none", tmp_path,
                   ADVIK_METRICS_PATH="/metrics")
    found = scrape(app)
    assert value(found, "advik_outbox_readable") == 0


def test_conflicts_and_storage_fallbacks_are_counted(metered: Flask) -> None:
    before = scrape(metered)
    tries = iter([sqlite3.OperationalError("database is locked"), None])

    def body() -> str:
        error = next(tries)
        if error is not None:
            raise error
        return "done"

    assert run(body, sleep=lambda _s: None) == "done"
    store = LimitStore(f"redis://127.0.0.1:{free_port()}/0")
    assert store.run(lambda storage: storage.incr("k", 60), "apply limit") == 1
    after = scrape(metered)
    conflicts = {"kind": "database is locked", "gave_up": "false"}
    name = "advik_db_conflicts_total"
    assert value(after, name, **conflicts) - value(before, name, **conflicts) == 1
    name = "advik_ratelimit_storage_fallbacks_total"
    assert (value(after, name, what="apply limit")
            - value(before, name, what="apply limit")) == 1


def test_the_metrics_token_is_required_when_set(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_METRICS_PATH="/ops/metrics",
                   ADVIK_METRICS_TOKEN="s3cret-metrics")
    client = app.test_client()
    assert client.get("/ops/metrics").status_code == 401
    assert client.get("/ops/metrics", headers={"Authorization": "Bearer wrong"}
                      ).status_code == 401
    answer = client.get("/ops/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert answer.status_code == 200
    assert b"advik_outbox_readable" in answer.data
