"""A small bounded pool of daemon threads that runs signal receivers for one app.

Why not :class:`concurrent.futures.ThreadPoolExecutor`: its threads are joined
at interpreter exit, so one hanging handler would stop the process from
exiting, and nothing there keeps one handler from taking every thread. These
threads are daemons, start on demand (at most ``WORKERS``), and end after
``IDLE_SECONDS`` without work. The queue holds at most ``CAPACITY`` calls;
beyond that a call is dropped.

A receiver that hangs must never silence the others:

* one receiver runs at most ``PER_RECEIVER`` calls at once; its further calls
  wait while the workers run the other receivers' calls;
* each call has a time budget (``ADVIK_HOOK_TIMEOUT_SECONDS``). A call over
  it is *abandoned*: Python cannot stop a thread, so its thread is left to
  finish (or not) on its own, and a fresh worker takes its place. Until the
  abandoned call returns, that receiver's calls are skipped, so a hanging
  receiver holds at most ``PER_RECEIVER`` threads and no room in the queue;
* an abandoned receiver, skipped calls and a full queue are logged at most
  once a minute each (with how many calls were affected), never per event.

Each call runs with the id of the request that sent it bound
(:mod:`advik_coupons.requestid`), so a receiver's log lines name the request.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from .. import requestid

log = logging.getLogger("advik_coupons.hooks")

WORKERS = 4
CAPACITY = 1000
IDLE_SECONDS = 30.0
PER_RECEIVER = 2
BUDGET_SECONDS = 10.0
LOG_EVERY = 60.0

#: (signal name, receiver, kwargs, the id of the request that sent it)
_Call = tuple[str, Callable[..., Any], dict[str, Any], str | None]

NOTES = {
    "hung": "hook %r on %s ran longer than its budget and was abandoned "
            "(%d time(s) since the last such line; logged at most once a minute)",
    "skipped": "hook %r on %s: %d call(s) skipped while an abandoned call of it still runs "
               "(logged at most once a minute)",
    "full": "hook queue full: %r on %s, %d call(s) dropped (logged at most once a minute)",
}


@dataclass
class _Running:
    receiver: Callable[..., Any]
    signal_name: str
    started: float
    abandoned: bool = False


class HookPool:
    def __init__(self, app: Flask, workers: int = WORKERS, capacity: int = CAPACITY,
                 budget: float | None = None) -> None:
        self._app = weakref.ref(app)
        self._workers = workers
        self._capacity = capacity
        self.budget = max(float(budget if budget is not None else (
            app.config.get("ADVIK_HOOK_TIMEOUT_SECONDS") or BUDGET_SECONDS)), 0.01)
        self._queue: deque[_Call] = deque()
        self._cond = threading.Condition()
        self._threads = 0
        self._busy = 0
        self._running: dict[int, _Running] = {}
        self._active: Counter[Callable[..., Any]] = Counter()
        self._stuck: Counter[Callable[..., Any]] = Counter()
        self._notes: dict[tuple[str, Any], tuple[float, int]] = {}
        self._serial = 0
        self.dropped = 0
        self.skipped = 0
        self.abandoned = 0

    def submit(self, signal_name: str, receivers: list[Callable[..., Any]],
               kwargs: dict[str, Any]) -> None:
        request_id = requestid.current()
        with self._cond:
            now = time.monotonic()
            self._reap(now)
            for receiver in receivers:
                if receiver in self._stuck:
                    self.skipped += 1
                    self._note("skipped", receiver, signal_name, now)
                elif len(self._queue) >= self._capacity:
                    self.dropped += 1
                    self._note("full", receiver, signal_name, now)
                else:
                    self._queue.append((signal_name, receiver, kwargs, request_id))
            self._spawn()
            self._cond.notify_all()

    def _note(self, kind: str, receiver: Any, signal_name: str, now: float) -> None:
        """Log ``kind`` for ``receiver`` at most once per :data:`LOG_EVERY` seconds."""
        last, count = self._notes.get((kind, receiver), (float("-inf"), 0))
        count += 1
        if now - last >= LOG_EVERY:
            log.warning(NOTES[kind], receiver, signal_name, count)
            self._notes[(kind, receiver)] = (now, 0)
        else:
            self._notes[(kind, receiver)] = (last, count)

    def _spawn(self) -> None:
        idle = self._threads - self._busy
        while self._threads < self._workers and idle < len(self._queue):
            self._threads += 1
            idle += 1
            threading.Thread(target=self._run, name="advik-hooks", daemon=True).start()

    def _reap(self, now: float) -> None:
        """Abandon the calls over budget; their workers are replaced."""
        for run in self._running.values():
            if run.abandoned or now - run.started <= self.budget:
                continue
            run.abandoned = True
            self.abandoned += 1
            self._active[run.receiver] -= 1
            self._stuck[run.receiver] += 1
            self._busy -= 1
            self._threads -= 1
            self._note("hung", run.receiver, run.signal_name, now)
        self._active += Counter()  # drop the receivers at zero
        self._spawn()

    def _take(self, now: float) -> _Call | None:
        """The first queued call that may run now; a stuck receiver's calls are skipped."""
        index = 0
        while index < len(self._queue):
            call = self._queue[index]
            signal_name, receiver, _kwargs, _request_id = call
            if receiver in self._stuck:
                del self._queue[index]
                self.skipped += 1
                self._note("skipped", receiver, signal_name, now)
            elif self._active[receiver] < PER_RECEIVER:
                del self._queue[index]
                return call
            else:
                index += 1
        return None

    def _next(self) -> tuple[int, _Call] | None:
        """Wait for a call to run (None: idle long enough, this worker ends)."""
        idle_until = time.monotonic() + IDLE_SECONDS
        while True:
            now = time.monotonic()
            self._reap(now)
            call = self._take(now)
            if call is not None:
                self._serial += 1
                self._busy += 1
                self._active[call[1]] += 1
                self._running[self._serial] = _Running(call[1], call[0], now)
                return self._serial, call
            if self._queue:
                idle_until = now + IDLE_SECONDS
            elif now >= idle_until:
                self._threads -= 1
                self._cond.notify_all()
                return None
            self._cond.wait(min(max(idle_until - now, 0.01), self.budget))

    def _run(self) -> None:
        while True:
            with self._cond:
                taken = self._next()
            if taken is None:
                return
            serial, (signal_name, receiver, kwargs, request_id) = taken
            try:
                requestid.bind(request_id)  # the receiver's log lines name the request
                self._call(signal_name, receiver, kwargs)
            finally:
                requestid.bind(None)
                with self._cond:
                    run = self._running.pop(serial)
                    if run.abandoned:  # replaced meanwhile: the receiver may run again
                        self._stuck[receiver] -= 1
                        self._stuck += Counter()
                        log.info("hook %r on %s returned after %.1f s", receiver, signal_name,
                                 time.monotonic() - run.started)
                    else:
                        self._busy -= 1
                        self._active[receiver] -= 1
                    self._cond.notify_all()
            if run.abandoned:
                return

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
        """Wait until no call is queued or running (abandoned calls aside); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._reap(time.monotonic())
                if not self._queue and self._busy == 0:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, self.budget))


_pools: weakref.WeakKeyDictionary[Flask, HookPool] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def pool_for(app: Flask) -> HookPool:
    with _pools_lock:
        pool = _pools.get(app)
        if pool is None:
            pool = _pools[app] = HookPool(app)
        return pool
