"""Metrics under a real gunicorn with two workers (``prometheus_client``'s multiprocess
mode): after known traffic spread over both, any worker's scrape shows the sum."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.production.servers import fire, server_env, start_server

pytestmark = pytest.mark.timeout(180)
CLI = str(Path(sys.executable).parent / "advik-coupons")
APPLIED, REJECTED = 24, 16


def totals(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_two_workers_add_up(tmp_path: Path) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = server_env(f"sqlite:///{tmp_path / 'metrics.sqlite'}", tmp_path / "instance",
                     ADVIK_METRICS_PATH="/metrics", PROMETHEUS_MULTIPROC_DIR=str(folder),
                     ADVIK_APPLY_RATE_LIMIT="100000/minute")
    subprocess.run([CLI, "init-db"], env=env, check=True, capture_output=True)
    token = subprocess.run([CLI, "create-token", "--name", "metrics"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    server = start_server(env, tmp_path, workers=2)
    try:
        created = httpx.post(server.url + "/api/v1/coupons", timeout=10,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"name": "Metrics", "code": "GUNI10",
                                   "discount_type": "percent", "discount_value": "10",
                                   "min_subtotal": "50"})
        assert created.status_code == 201, created.text
        url = server.url + "/coupons/apply"
        load = ([(url, {"code": "GUNI10", "subtotal": "80"})] * APPLIED
                + [(url, {"code": "GUNI10", "subtotal": "10"})] * REJECTED)
        answers = fire(load)  # all at once, no keep-alive: both workers take some
        assert sorted(a.status_code for a in answers if isinstance(a, httpx.Response)) == (
            [200] * APPLIED + [422] * REJECTED)
        pids = {p.name.split("_")[-1] for p in folder.glob("*.db")}
        assert len(pids) >= 2, f"one worker took all the load: {pids}"
        for _ in range(4):  # whichever worker answers the scrape, it shows the sum
            scraped = httpx.get(server.url + "/metrics", timeout=10)
            assert scraped.status_code == 200
            found = totals(scraped.text)
            assert found[("advik_coupon_attempts_total", (
                ("operation", "apply"), ("outcome", "applied"), ("reason", "")))] == APPLIED
            assert found[("advik_coupon_attempts_total", (
                ("operation", "apply"), ("outcome", "rejected"),
                ("reason", "below_minimum")))] == REJECTED
            assert found[("advik_request_duration_seconds_count",
                          (("operation", "apply"),))] == APPLIED + REJECTED
            assert found[("advik_outbox_readable", ())] == 1
    finally:
        server.stop()
