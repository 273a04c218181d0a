"""Redeeming on a three-node MariaDB Galera cluster, every node taking writes.

One gunicorn per node (its ``ADVIK_DATABASE_URL`` names its own node), 300
concurrent redemptions spread over the three: writes to one hot coupon on
several nodes conflict in Galera's certification (MariaDB says 1213 "Deadlock
found"), and the services run those transactions again instead of answering
``503``. ``used`` equals the rows on every node, and a node killed with
``SIGKILL`` mid-load loses no redemption a client saw committed.

The cluster (tests/production/galera.py) lives in a temporary folder for this
module only and is always stopped and removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from advik_coupons.services.accounts import create_token
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.conftest import IN_CI, make_app, make_coupon, unavailable
from tests.production.galera import Node, cluster_size, galera_cluster, missing_tools
from tests.production.servers import Server, fire, server_env, start_server

pytestmark = [pytest.mark.galera, pytest.mark.timeout(300)]
WORKERS = 3
LOAD = 300


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[Node]]:
    lacking = missing_tools()
    if lacking:
        message = "a Galera cluster needs " + ", ".join(lacking)
        if IN_CI:
            pytest.fail(message + " (.ci/run installs them)")
        pytest.skip(message)
    with contextlib.ExitStack() as stack:
        for attempt in (1, 2):  # a port taken by another process between pick and bind
            try:
                nodes = stack.enter_context(galera_cluster(3))
                break
            except RuntimeError as exc:
                if attempt == 2:
                    unavailable("a Galera cluster", exc)
        yield nodes


@pytest.fixture(scope="module")
def galera_app(cluster: list[Node], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(cluster[0].url, tmp_path_factory.mktemp("galera-app"))
    with app.app_context():
        upgrade(get_state().engine)
    yield app
    with app.app_context():
        get_state().engine.dispose()


@pytest.fixture(scope="module")
def token(galera_app: Flask) -> str:
    with galera_app.app_context():
        return create_token("galera-tests")


@pytest.fixture(scope="module")
def servers(cluster: list[Node], galera_app: Flask,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    folder = tmp_path_factory.mktemp("galera-gunicorn")
    started: list[Server] = []
    try:
        for node in cluster:
            env = server_env(node.url, folder / f"instance-{node.name}")
            started.append(start_server(env, folder / node.name, workers=WORKERS))
        yield started
    finally:
        for server in started:
            server.stop()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def body(code: str, ref: str) -> dict[str, Any]:
    return {"code": code, "subtotal": "120.00", "booking_ref": ref}


def spread(servers: list[Server], bodies: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(servers[i % len(servers)].url + "/api/v1/redemptions", b)
            for i, b in enumerate(bodies)]


def answers(results: list[httpx.Response | BaseException]) -> Counter[tuple[int, str]]:
    seen: Counter[tuple[int, str]] = Counter()
    for result in results:
        assert isinstance(result, httpx.Response), f"request failed: {result!r}"
        data = result.json()
        seen[(result.status_code, data.get("reason") or data.get("error") or "")] += 1
    return seen


def conflicts_seen(cluster: list[Node]) -> int:
    """Galera's certification failures and brute-force aborts so far, on the live nodes."""
    return sum(int(node.status(name) or 0) for node in cluster if node.alive()
               for name in ("wsrep_local_cert_failures", "wsrep_local_bf_aborts"))


def on_node(node: Node, coupon_id: int) -> tuple[int, int, set[str]]:
    """``used``, the rows and their booking refs as ``node`` has them (after it caught up)."""
    with contextlib.closing(node.connect()) as conn, conn.cursor() as cur:
        cur.execute("SET SESSION wsrep_sync_wait = 1")  # reads wait for the cluster's writes
        cur.execute("SELECT used FROM advik_coupons WHERE id = %s", (coupon_id,))
        row = cur.fetchone()
        assert row is not None
        cur.execute("SELECT booking_ref FROM advik_redemptions WHERE coupon_id = %s",
                    (coupon_id,))
        refs = {str(r[0]) for r in cur.fetchall()}
        return int(row[0]), len(refs), refs


def test_three_nodes_one_server_each(cluster: list[Node], servers: list[Server]) -> None:
    assert [cluster_size(node) for node in cluster] == [3, 3, 3]
    assert len({s.port for s in servers}) == 3


def test_unlimited_coupon_every_redemption_is_created(
        galera_app: Flask, token: str, cluster: list[Node], servers: list[Server]) -> None:
    code = unique("GALERA")
    coupon_id = make_coupon(galera_app, code=code)
    bodies = [body(code, unique("BK-")) for _ in range(LOAD)]
    before = conflicts_seen(cluster)
    seen = answers(fire(spread(servers, bodies), {"Authorization": f"Bearer {token}"}))
    print(f"\n{LOAD} redemptions of one unlimited coupon over 3 nodes: "
          f"{conflicts_seen(cluster) - before} conflicts retried")
    assert seen == Counter({(201, ""): LOAD})
    for node in cluster:
        assert on_node(node, coupon_id)[:2] == (LOAD, LOAD), node.name


def test_max_uses_holds_across_nodes(galera_app: Flask, token: str, cluster: list[Node],
                                     servers: list[Server]) -> None:
    code = unique("GLIMIT")
    coupon_id = make_coupon(galera_app, code=code, max_uses=50)
    bodies = [body(code, unique("BK-")) for _ in range(LOAD)]
    before = conflicts_seen(cluster)
    seen = answers(fire(spread(servers, bodies), {"Authorization": f"Bearer {token}"}))
    print(f"\n{LOAD} redemptions of a coupon with 50 uses over 3 nodes: "
          f"{conflicts_seen(cluster) - before} conflicts retried")
    assert seen == Counter({(201, ""): 50, (422, "usage_limit_reached"): LOAD - 50})
    for node in cluster:
        assert on_node(node, coupon_id)[:2] == (50, 50), node.name


async def load_then_kill(victim: Node, servers: list[Server], code: str, refs: list[str],
                         headers: dict[str, str]) -> dict[str, tuple[str, Any]]:
    """Send every booking (round robin, 48 at a time); SIGKILL the victim node midway."""
    outcomes: dict[str, tuple[str, Any]] = {}
    gate = asyncio.Semaphore(48)
    created = 0
    killed = asyncio.Event()

    async def send(client: httpx.AsyncClient, index: int, ref: str) -> None:
        nonlocal created
        url = servers[index % len(servers)].url
        async with gate:
            try:
                answer: Any = await client.post(url + "/api/v1/redemptions",
                                                json=body(code, ref), headers=headers)
            except httpx.HTTPError as exc:
                answer = exc
        outcomes[ref] = (url, answer)
        if isinstance(answer, httpx.Response) and answer.status_code == 201:
            created += 1
            if created == 60 and not killed.is_set():
                killed.set()
                await asyncio.to_thread(victim.kill)

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=90, limits=limits) as client:
        await asyncio.gather(*(send(client, i, ref) for i, ref in enumerate(refs)))
    assert killed.is_set(), "the load never reached 60 redemptions"
    return outcomes


def test_node_killed_mid_load_loses_no_committed_redemption(
        galera_app: Flask, token: str, cluster: list[Node], servers: list[Server],
        tmp_path: Path) -> None:
    """Runs last: it kills the third node, whose server then answers 503 (its database
    is gone). Every 201 a client saw is on both surviving nodes; a request that
    failed, sent again to a surviving server, is answered from what was committed."""
    victim, survivors = cluster[2], cluster[:2]
    victim_server = servers[2]
    code = unique("GKILL")
    coupon_id = make_coupon(galera_app, code=code, max_uses=250)
    headers = {"Authorization": f"Bearer {token}"}
    refs = [unique("BK-") for _ in range(LOAD)]
    outcomes = asyncio.run(load_then_kill(victim, servers, code, refs, headers))
    assert not victim.alive()
    failed = []
    for ref, (url, answer) in outcomes.items():
        if isinstance(answer, httpx.Response) and answer.status_code in (200, 201, 422):
            continue
        # Only the server whose database died may fail, and only as "unreachable".
        assert url == victim_server.url, (url, answer)
        if isinstance(answer, httpx.Response):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"] == "database_unavailable"
        failed.append(ref)
    seen_201 = {ref for ref, (_u, a) in outcomes.items()
                if isinstance(a, httpx.Response) and a.status_code == 201}
    readings = [on_node(node, coupon_id) for node in survivors]
    assert readings[0] == readings[1], "the surviving nodes agree"
    used, rows, stored = readings[0]
    assert seen_201 <= stored, "a redemption a client saw as created was lost"
    assert used == rows <= 250
    retried = fire([(survivor_url + "/api/v1/redemptions", body(code, ref))
                    for ref, survivor_url in zip(failed, [s.url for s in servers[:2]] * LOAD,
                                                 strict=False)], headers)
    for ref, answer in zip(failed, retried, strict=True):
        assert isinstance(answer, httpx.Response), answer
        if ref in stored:
            assert answer.status_code == 200, answer.text  # committed before it died
        else:
            assert answer.status_code in (201, 422), answer.text
    used_after, rows_after, _ = on_node(survivors[0], coupon_id)
    assert used_after == rows_after <= 250
    assert rows_after == rows + sum(1 for r in retried
                                    if isinstance(r, httpx.Response) and r.status_code == 201)
    assert on_node(survivors[1], coupon_id)[:2] == (used_after, rows_after)
