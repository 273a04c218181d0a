"""Time-based lifecycle events with several ``deliver`` processes on one database.

Three real ``advik-coupons deliver`` workers run on MariaDB (and on PostgreSQL)
while thirty coupons become due in the same second: every worker's periodic scan finds
them all, the claim in ``coupon_events`` lets one announce each, so the webhook
gets each coupon's ``coupon.expiring_soon`` and ``coupon.expired`` exactly once.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.conftest import make_app, make_coupon
from tests.hook_receiver import SECRET, Receiver
from tests.production.servers import server_env, start_deliver_workers, stop_deliver_workers

pytestmark = [pytest.mark.timeout(120)]
CLI = str(Path(sys.executable).parent / "advik-coupons")
WORKERS = 3
COUPONS = 30
STARTUP = 1.0  # seconds for every running worker to have scanned a few times


@pytest.fixture(params=[pytest.param("mysql", marks=pytest.mark.mysql),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))


def announced(receiver: Receiver, codes: set[str]) -> list[tuple[str, str]]:
    with receiver.lock:
        bodies = [json.loads(r.body) for r in receiver.requests]
    return [(b["data"]["coupon"]["code"], b["type"]) for b in bodies
            if b.get("data", {}).get("coupon", {}).get("code") in codes]


def test_each_time_based_event_goes_out_once(server_db: str, tmp_path: Path,
                                             receiver: Receiver) -> None:
    app = make_app(server_db, tmp_path / "app")
    tag = uuid.uuid4().hex[:6].upper()
    codes = {f"END{n:02d}{tag}" for n in range(COUPONS)}
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=60)
    ids = [make_coupon(app, code=code, starts_at=later - timedelta(days=90), ends_at=later)
           for code in sorted(codes)]
    env = server_env(server_db, tmp_path / "instance", ADVIK_WEBHOOK_URL=receiver.url,
                     ADVIK_WEBHOOK_SECRET=SECRET, ADVIK_WEBHOOK_EVENTS="expired,expiring_soon",
                     ADVIK_LIFECYCLE_SCAN_SECONDS="0.1")
    del env["ADVIK_HOOKS_DIR"]  # the bundled hooks: webhook.py registers its channel
    workers = start_deliver_workers(CLI, env, WORKERS, poll=0.05)
    try:
        time.sleep(STARTUP)
        ends = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        with app.app_context():  # now all are expiring soon at once, and end at once
            engine = get_state().engine
            with engine.begin() as connection:
                connection.execute(update(Coupon).where(Coupon.id.in_(ids))
                                   .values(ends_at=ends))
            engine.dispose()
        deadline = time.monotonic() + 60
        while (len(set(announced(receiver, codes))) < 2 * COUPONS
               and time.monotonic() < deadline):
            time.sleep(0.2)
        time.sleep(2)  # every worker has scanned many times more by now
    finally:
        failures = stop_deliver_workers(workers)
    sent = Counter(announced(receiver, codes))
    assert set(sent) == {(code, event) for code in codes
                         for event in ("coupon.expiring_soon", "coupon.expired")}
    assert max(sent.values()) == 1, [pair for pair, n in sent.items() if n > 1]
    assert not failures, failures
