"""A small bounded pool of daemon threads that runs signal receivers for one app.

Why not :class:`concurrent.futures.ThreadPoolExecutor`: its threads are joined
at interpreter exit, so one hanging handler would stop the process from
exiting. These threads are daemons, start on demand (at most ``WORKERS``),
and end after ``IDLE_SECONDS`` without work. The queue holds at most
``CAPACITY`` calls; beyond that a call is dropped and logged, so handlers
that hang forever cost bounded memory and never block a request. Each call runs
with the id of the request that sent it bound (:mod:`advik_coupons.requestid`).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from flask import Flask

from .. import requestid

log = logging.getLogger("advik_coupons.hooks")

WORKERS = 4
CAPACITY = 1000
IDLE_SECONDS = 30.0

#: (signal name, receiver, kwargs, the id of the request that sent it)
_Call = tuple[str, Callable[..., Any], dict[str, Any], str | None]


class HookPool:
    def __init__(self, app: Flask, workers: int = WORKERS, capacity: int = CAPACITY) -> None:
        self._app = weakref.ref(app)
        self._workers = workers
        self._capacity = capacity
        self._queue: deque[_Call] = deque()
        self._cond = threading.Condition()
        self._threads = 0
        self._busy = 0
        self.dropped = 0

    def submit(self, signal_name: str, receivers: list[Callable[..., Any]],
               kwargs: dict[str, Any]) -> None:
        request_id = requestid.current()
        with self._cond:
            for receiver in receivers:
                if len(self._queue) >= self._capacity:
                    self.dropped += 1
                    log.warning("hook queue full (%d waiting): %r on %s dropped",
                                len(self._queue), receiver, signal_name)
                    continue
                self._queue.append((signal_name, receiver, kwargs, request_id))
            idle = self._threads - self._busy
            while self._threads < self._workers and idle < len(self._queue):
                self._threads += 1
                idle += 1
                threading.Thread(target=self._run, name="advik-hooks", daemon=True).start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: bool(self._queue), IDLE_SECONDS):
                    self._threads -= 1
                    self._cond.notify_all()
                    return
                signal_name, receiver, kwargs, request_id = self._queue.popleft()
                self._busy += 1
            try:
                requestid.bind(request_id)  # the receiver's log lines name the request
                self._call(signal_name, receiver, kwargs)
            finally:
                requestid.bind(None)
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _call(self, signal_name: str, receiver: Callable[..., Any],
              kwargs: dict[str, Any]) -> None:
        app = self._app()
        if app is None:
            return
        try:
            with app.app_context():
                receiver(app, **kwargs)
        except Exception:
            log.exception("hook %r on %s raised; nothing else is affected",
                          receiver, signal_name)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is queued or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and self._busy == 0, timeout)


_pools: weakref.WeakKeyDictionary[Flask, HookPool] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def pool_for(app: Flask) -> HookPool:
    with _pools_lock:
        pool = _pools.get(app)
        if pool is None:
            pool = _pools[app] = HookPool(app)
        return pool
