"""Limits across processes: two gunicorn servers (four workers each) over one MariaDB,
and the same over one PostgreSQL.

docs/contracts.md §3: ``max_uses`` and ``once_per_customer`` hold under any concurrency,
and a booking is redeemed once however often it is sent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from advik_coupons.services.accounts import create_token
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon, Redemption
from tests.conftest import REDIS_URL, make_app, make_coupon, unavailable
from tests.production.servers import Server, fire, server_env, start_server

pytestmark = [pytest.mark.redis, pytest.mark.timeout(150)]
APPLY_LIMIT = 5


@pytest.fixture(scope="module", params=[pytest.param("mysql", marks=pytest.mark.mysql),
                                        pytest.param("postgres", marks=pytest.mark.postgres)])
def prod_db(request: pytest.FixtureRequest) -> str:
    """The database both servers share: MariaDB, then PostgreSQL."""
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))


@pytest.fixture(scope="module")
def prod_app(prod_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(prod_db, tmp_path_factory.mktemp("prod-app"))
    yield app
    with app.app_context():
        get_state().engine.dispose()


@pytest.fixture(scope="module")
def token(prod_app: Flask) -> str:
    with prod_app.app_context():
        return create_token("production-tests")


@pytest.fixture(scope="module")
def servers(prod_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable("Redis at " + REDIS_URL, exc)
    folder = tmp_path_factory.mktemp("gunicorn")
    env = server_env(prod_db, folder / "instance", ADVIK_RATELIMIT_STORAGE_URL=REDIS_URL,
                     ADVIK_APPLY_RATE_LIMIT=f"{APPLY_LIMIT}/minute", ADVIK_TRUSTED_PROXIES="1")
    started: list[Server] = []
    try:
        for _ in range(2):
            started.append(start_server(env, folder))
        yield started
    finally:
        for server in started:
            server.stop()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def redemption(code: str, ref: str, email: str = "") -> dict[str, Any]:
    body = {"code": code, "subtotal": "120.00", "booking_ref": ref}
    if email:
        body["email"] = email
    return body


def spread(servers: list[Server], bodies: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(servers[i % len(servers)].url + "/api/v1/redemptions", body)
            for i, body in enumerate(bodies)]


def answers(results: list[httpx.Response | BaseException]) -> Counter[tuple[int, str]]:
    seen: Counter[tuple[int, str]] = Counter()
    for result in results:
        assert isinstance(result, httpx.Response), f"request failed: {result!r}"
        reason = result.json().get("reason", "") if result.status_code == 422 else ""
        seen[(result.status_code, reason)] += 1
    return seen


def stored(app: Flask, coupon_id: int) -> tuple[int, int]:
    """The coupon's ``used`` and its number of redemption rows, read fresh."""
    with app.app_context():
        session = get_state().session
        used = session.execute(select(Coupon.used).where(Coupon.id == coupon_id)).scalar_one()
        rows = session.execute(select(func.count()).select_from(Redemption).where(
            Redemption.coupon_id == coupon_id)).scalar_one()
        session.rollback()
        return int(used), int(rows)


def test_two_servers_run_eight_workers(servers: list[Server]) -> None:
    assert [len(s.workers()) for s in servers] == [4, 4]
    assert servers[0].port != servers[1].port


def test_max_uses_holds_across_servers(prod_app: Flask, token: str,
                                       servers: list[Server]) -> None:
    code = unique("LIMIT")
    coupon_id = make_coupon(prod_app, code=code, max_uses=50)
    bodies = [redemption(code, unique("BK-")) for _ in range(200)]
    seen = answers(fire(spread(servers, bodies), {"Authorization": f"Bearer {token}"}))
    assert seen == Counter({(201, ""): 50, (422, "usage_limit_reached"): 150})
    assert stored(prod_app, coupon_id) == (50, 50)


def test_once_per_customer_holds_across_servers(prod_app: Flask, token: str,
                                                servers: list[Server]) -> None:
    code = unique("ONCE")
    coupon_id = make_coupon(prod_app, code=code, once_per_customer=True)
    bodies = [redemption(code, unique("BK-"), "Ann@Example.com" if i % 2 else "ann@example.com")
              for i in range(50)]
    seen = answers(fire(spread(servers, bodies), {"Authorization": f"Bearer {token}"}))
    assert seen == Counter({(201, ""): 1, (422, "already_used"): 49})
    assert stored(prod_app, coupon_id) == (1, 1)


def test_uses_per_customer_holds_across_servers(prod_app: Flask, token: str,
                                                servers: list[Server]) -> None:
    code = unique("THRICE")
    coupon_id = make_coupon(prod_app, code=code, uses_per_customer=3)
    variants = ["ann@gmail.com", "a.nn@gmail.com", "ANN+spa@gmail.com", "ann@googlemail.com"]
    bodies = [redemption(code, unique("BK-"), variants[i % len(variants)]) for i in range(30)]
    seen = answers(fire(spread(servers, bodies), {"Authorization": f"Bearer {token}"}))
    assert seen == Counter({(201, ""): 3, (422, "already_used"): 27})
    assert stored(prod_app, coupon_id) == (3, 3)


def test_combinable_coupons_on_one_booking_across_servers(prod_app: Flask, token: str,
                                                          servers: list[Server]) -> None:
    codes = [unique("STACK") for _ in range(8)]
    for code in codes:
        make_coupon(prod_app, code=code, discount_type="fixed", discount_value=Decimal("40"),
                    combinable=True)
    ref = unique("BK-")
    results = fire(spread(servers, [redemption(code, ref) for code in codes]),
                   {"Authorization": f"Bearer {token}"})
    assert answers(results) == Counter({(201, ""): 8})
    given = sum(Decimal(r.json()["discount"]) for r in results if isinstance(r, httpx.Response))
    assert given == Decimal("120.00")  # the whole subtotal, never more


def test_one_booking_sent_twenty_times_is_redeemed_once(prod_app: Flask, token: str,
                                                        servers: list[Server]) -> None:
    code = unique("IDEM")
    coupon_id = make_coupon(prod_app, code=code, max_uses=100)
    ref = unique("BK-")
    results = fire(spread(servers, [redemption(code, ref)] * 20),
                   {"Authorization": f"Bearer {token}"})
    seen = answers(results)
    assert seen == Counter({(201, ""): 1, (200, ""): 19})
    ids = {r.json()["id"] for r in results if isinstance(r, httpx.Response)}
    assert len(ids) == 1
    assert stored(prod_app, coupon_id) == (1, 1)


def test_apply_rate_limit_is_shared_by_both_servers(prod_app: Flask,
                                                    servers: list[Server]) -> None:
    """Ten tries from one client address, spread over both servers: five pass."""
    code = unique("RATE")
    make_coupon(prod_app, code=code)
    high, low = uuid.uuid4().hex[:4], int(uuid.uuid4().hex[:4], 16)
    client = f"2001:db8:{high}:{low:04x}::1"  # this run's own /64 (IPv6 counts by /64)
    neighbour = f"2001:db8:{high}:{(low + 1) % 0x10000:04x}::1"  # the next /64
    requests = [(servers[i % 2].url + "/coupons/apply", {"code": code, "subtotal": "100.00"})
                for i in range(2 * APPLY_LIMIT)]
    results = fire(requests, {"X-Forwarded-For": client})
    statuses = Counter(r.status_code for r in results if isinstance(r, httpx.Response))
    assert statuses == Counter({200: APPLY_LIMIT, 429: APPLY_LIMIT}), results
    limited = [r for r in results if isinstance(r, httpx.Response) and r.status_code == 429]
    assert all(int(r.headers["Retry-After"]) >= 1 for r in limited)
    assert {r.json()["reason"] for r in limited} == {"rate_limited"}
    other = httpx.post(servers[0].url + "/coupons/apply", timeout=10,
                       json={"code": code, "subtotal": "100.00"},
                       headers={"X-Forwarded-For": neighbour})
    assert other.status_code == 200, "another client address has its own count"


def test_quote_answers_alike_on_both_servers(prod_app: Flask, token: str,
                                              servers: list[Server], tmp_path: Path) -> None:
    code = unique("QUOTE")
    make_coupon(prod_app, code=code)
    headers = {"Authorization": f"Bearer {token}"}
    for server in servers:
        answer = httpx.post(server.url + "/api/v1/quote", headers=headers, timeout=10,
                            json={"code": code.lower(), "subtotal": "100.00"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["discount"] == "10.00"



async def load_then_kill(victim: Server, survivor: Server, code: str, refs: list[str],
                         headers: dict[str, str]) -> dict[str, tuple[str, Any]]:
    """Send every booking (alternating servers, 32 at a time); kill the victim midway.

    Returns booking_ref → (server url, response or exception).
    """
    outcomes: dict[str, tuple[str, Any]] = {}
    gate = asyncio.Semaphore(32)
    victim_created = 0
    killed = asyncio.Event()

    async def send(client: httpx.AsyncClient, index: int, ref: str) -> None:
        nonlocal victim_created
        url = (victim if index % 2 else survivor).url
        async with gate:
            try:
                answer: Any = await client.post(url + "/api/v1/redemptions",
                                                 json=redemption(code, ref), headers=headers)
            except httpx.HTTPError as exc:
                answer = exc
        outcomes[ref] = (url, answer)
        if url == victim.url and isinstance(answer, httpx.Response) and (
                answer.status_code == 201):
            victim_created += 1
            if victim_created == 20 and not killed.is_set():
                killed.set()
                victim.kill()  # master and workers, mid-load

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(send(client, i, ref) for i, ref in enumerate(refs)))
    assert killed.is_set(), "the victim never got to 20 redemptions"
    return outcomes


def test_killed_server_loses_nothing_and_half_writes_nothing(
        prod_app: Flask, token: str, servers: list[Server], prod_db: str,
        tmp_path: Path) -> None:
    """SIGKILL one server's master and workers in the middle of the load.

    Every 201 a client saw has its row; no row lacks its counted use; the
    requests that died with the server, sent again to the survivor, are
    answered from what was committed (200 where the dead server had committed
    before its answer was lost), never counted twice.
    """
    victim = start_server(server_env(prod_db, tmp_path / "instance"), tmp_path)
    survivor = servers[1]
    code = unique("CRASH")
    coupon_id = make_coupon(prod_app, code=code, max_uses=150)
    headers = {"Authorization": f"Bearer {token}"}
    refs = [unique("BK-") for _ in range(240)]
    try:
        outcomes = asyncio.run(load_then_kill(victim, survivor, code, refs, headers))
    finally:
        victim.stop()
    assert not victim.workers()
    failed = [ref for ref, (_url, r) in outcomes.items() if not isinstance(r, httpx.Response)]
    assert failed, "the kill should have cut some requests off"
    assert all(url == victim.url for ref in failed for url in [outcomes[ref][0]])
    seen_201 = {ref for ref, (_url, r) in outcomes.items()
                if isinstance(r, httpx.Response) and r.status_code == 201}
    used, rows = stored(prod_app, coupon_id)
    with prod_app.app_context():
        session = get_state().session
        stored_refs = set(session.execute(select(Redemption.booking_ref).where(
            Redemption.coupon_id == coupon_id)).scalars())
        session.rollback()
    assert seen_201 <= stored_refs, "a redemption a client saw as created was lost"
    assert used == rows == len(stored_refs) <= 150
    retried = fire([(survivor.url + "/api/v1/redemptions", redemption(code, ref))
                    for ref in failed], headers)
    for ref, answer in zip(failed, retried, strict=True):
        assert isinstance(answer, httpx.Response), answer
        if ref in stored_refs:
            assert answer.status_code == 200, answer.text
        else:
            assert answer.status_code in (201, 422), answer.text
    used_after, rows_after = stored(prod_app, coupon_id)
    assert used_after == rows_after <= 150
    assert rows_after == rows + sum(1 for r in retried
                                    if isinstance(r, httpx.Response) and r.status_code == 201)
