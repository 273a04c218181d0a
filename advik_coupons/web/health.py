"""Probes for an orchestrator: ``/healthz`` (liveness) and ``/readyz`` (readiness).

``GET <prefix>/healthz`` answers ``{"status": "ok"}`` without touching anything:
the process is alive. ``GET <prefix>/readyz`` answers ``200`` only when this
process can serve: the database answers ``SELECT 1`` and its migrations are
at this package's head, and Redis answers a ping when the rate limits count
there (``ADVIK_RATELIMIT_STORAGE_URL``). Each check runs on its own daemon
thread and must finish within ``ADVIK_READY_TIMEOUT_SECONDS``; otherwise the
answer is ``503`` naming the failing part (``database``, ``migrations``,
``redis``), so a load balancer takes the worker out of rotation instead of
sending it customers. Details of a failure go to the log, not to the caller.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from limits.storage import MemoryStorage, Storage
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ..state import get_state
from ..store import schema
from .limitstore import LimitStore
from .ratelimit import app_limiter

log = logging.getLogger("advik_coupons.health")

bp = Blueprint("advik_health", __name__)

#: The Redis store of an app whose apply limit is off (the log-in throttle may still
#: count there): made once at registration, kept per app.
_stores: weakref.WeakKeyDictionary[Flask, LimitStore] = weakref.WeakKeyDictionary()


def register(app: Flask, prefix: str) -> None:
    """Mount ``/healthz`` and ``/readyz`` at ``prefix``."""
    app.register_blueprint(bp, url_prefix=prefix or None)
    url = str(app.config.get("ADVIK_RATELIMIT_STORAGE_URL") or "memory://")
    if app_limiter(app) is None and not url.startswith("memory://"):
        _stores[app] = LimitStore(url)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"}), 200, {"Cache-Control": "no-store"}


def _database(engine: Engine) -> dict[str, str]:
    """The database answers, and its schema is at this package's head."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        heads = schema.connection_heads(connection)
    newest = schema.newest_heads()
    at_head = "ok" if heads == newest else (
        f"at {', '.join(sorted(heads)) or 'no revision'}, head is {', '.join(sorted(newest))}")
    return {"database": "ok", "migrations": at_head}


def _redis(storage: Storage) -> dict[str, str]:
    return {"redis": "ok" if storage.check() else "unreachable (no answer to PING)"}


def _storage(app: Flask) -> Storage | None:
    limiter = app_limiter(app)
    store = limiter.store if limiter is not None else _stores.get(app)
    if store is None or isinstance(store.storage, MemoryStorage):
        return None
    return store.storage


#: A check's name, the parts it reports on (all failing when it raises or hangs), and it.
Check = tuple[str, tuple[str, ...], Callable[[], dict[str, str]]]


def run_checks(checks: list[Check], timeout: float) -> dict[str, str]:
    """Run each check on its own daemon thread; every part's ``"ok"`` or what failed."""
    results: dict[str, str] = {}
    lock = threading.Lock()

    def run(name: str, parts: tuple[str, ...], check: Callable[[], dict[str, str]]) -> None:
        try:
            found = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readiness: %s failed: %s", name, str(exc).replace("\n", " ")[:300])
            found = {part: f"unreachable ({type(exc).__name__})" for part in parts}
        with lock:
            results.update(found)

    threads = [threading.Thread(target=run, args=check, daemon=True,
                                name=f"advik-ready-{check[0]}") for check in checks]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        for _name, parts, _check in checks:
            for part in parts:
                results.setdefault(part, f"no answer within {timeout:g} s")
        return dict(results)


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = get_state(app).engine
    checks: list[Check] = [("database", ("database", "migrations"), lambda: _database(engine))]
    storage = _storage(app)
    if storage is not None:
        checks.append(("redis", ("redis",), lambda: _redis(storage)))
    timeout = float(app.config.get("ADVIK_READY_TIMEOUT_SECONDS") or 2.0)
    results = run_checks(checks, timeout)
    failing = sorted(part for part, outcome in results.items() if outcome != "ok")
    body: dict[str, object] = {"status": "unavailable" if failing else "ready",
                               "checks": results}
    if failing:
        body["failing"] = failing
    return jsonify(body), 503 if failing else 200, {"Cache-Control": "no-store"}
