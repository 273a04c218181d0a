"""Each outbox notice is leased on its own (DESIGN §13, issue 18 row 4).

Three ``deliver`` processes share one outbox and a receiver that takes 2.5 s per
POST. A lease that covered a whole batch sent one by one ran out while the
batch's tail was still waiting, and the other workers sent that tail again:
20 events became 36 POSTs. Each notice must be POSTed exactly once.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.hook_receiver import SECRET, Receiver, stage_event, webhook_config
from tests.production.servers import server_env, start_deliver_workers, stop_deliver_workers

CLI = str(Path(sys.executable).parent / "advik-coupons")

pytestmark = [pytest.mark.timeout(150)]
EVENTS = 20
SLOW = 2.5
LEASE = 8  # above the send timeout below, as docs/production.md asks


@pytest.fixture(params=[pytest.param("mysql", marks=pytest.mark.mysql),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))


def posts_of(receiver: Receiver, wanted: set[str]) -> Counter[str]:
    with receiver.lock:
        ids = [r.headers.get("Webhook-Id") or r.headers.get("webhook-id", "")
               for r in receiver.requests]
    return Counter(i for i in ids if i in wanted)


def test_three_workers_and_a_slow_receiver_post_each_notice_once(
        server_db: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(server_db, tmp_path / "app", **webhook_config(receiver))
    wanted = {stage_event(app) for _ in range(EVENTS)}
    receiver.answer(200, delay=SLOW, times=4 * EVENTS)
    env = server_env(server_db, tmp_path / "instance", ADVIK_WEBHOOK_URL=receiver.url,
                     ADVIK_WEBHOOK_SECRET=SECRET, ADVIK_WEBHOOK_EVENTS="redeemed",
                     ADVIK_WEBHOOK_TIMEOUT_SECONDS="5",
                     ADVIK_DELIVERY_LEASE_SECONDS=str(LEASE))
    del env["ADVIK_HOOKS_DIR"]  # the bundled hooks: webhook.py registers its channel
    workers = start_deliver_workers(CLI, env, 3, poll=0.2)
    try:
        deadline = time.monotonic() + 90
        while len(posts_of(receiver, wanted)) < EVENTS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(LEASE + SLOW)  # long enough for a lost lease to be taken again
    finally:
        failures = stop_deliver_workers(workers)
    sent = posts_of(receiver, wanted)
    assert set(sent) == wanted, f"{len(sent)} of {EVENTS} notices arrived"
    assert sum(sent.values()) == EVENTS, f"{sum(sent.values())} POSTs, most of one: " \
        f"{max(sent.values())}"
    assert not failures, failures
