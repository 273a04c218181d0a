"""Where rate limits count: a ``limits`` storage, with this process's memory to fall back on.

Shared by the apply limit (:mod:`advik_coupons.web.ratelimit`) and the admin
log-in throttle (:mod:`advik_coupons.admin.throttle`). Both read
``ADVIK_RATELIMIT_STORAGE_URL``: ``memory://`` for one process, ``redis://…``
shared by every worker. When the storage fails (Redis down or not answering
within half a second) the counts go to per-process memory for a few seconds,
with a warning in the log, rather than failing the customer's or the admin's
request. A caller with a shared count of its own (the admin log-in throttle
counts in the database) passes it as the fallback instead.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string

from .. import probes

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
T = TypeVar("T")


def parse_rate(setting: str, rate: str) -> RateLimitItem:
    """``30/minute`` → a ``limits`` item; a :class:`RuntimeError` naming ``setting`` if not."""
    try:
        return parse(rate)
    except ValueError as exc:
        raise RuntimeError(f"{setting} {rate!r} is not a rate such as '30/minute'.") from exc


def retry_after(item: RateLimitItem, seconds_left: float) -> int:
    """Whole seconds for ``Retry-After``: at least 1, at most the window."""
    return min(item.get_expiry(), max(1, math.ceil(seconds_left)))


class LimitStore:
    """The storage named by a URL, and per-process memory while it fails."""

    def __init__(self, url: str) -> None:
        self.url = url
        options = ({"socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                    "socket_timeout": REDIS_TIMEOUT_SECONDS}
                   if url.startswith(_REDIS_SCHEMES) else {})
        storage = storage_from_string(url, **options)
        if not isinstance(storage, Storage):
            raise RuntimeError(f"ADVIK_RATELIMIT_STORAGE_URL {url!r} names an async storage; "
                               "use a synchronous one (memory://, redis://…).")
        self.storage: Storage = storage
        self.memory: Storage = storage if isinstance(storage, MemoryStorage) else MemoryStorage()
        base = storage.base_exceptions
        self._failures: tuple[type[Exception], ...] = (
            StorageError, *(base if isinstance(base, tuple) else (base,)))
        self._fallback_until = 0.0
        self._lock = threading.Lock()

    def run(self, action: Callable[[Storage], T], what: str,
            fallback: Callable[[], T] | None = None) -> T:
        """``action(storage)``; while the storage is failing, ``fallback()`` when given
        (a count every worker shares, such as the database), else ``action(memory)``."""
        if self.memory is self.storage:
            return action(self.memory)
        if time.monotonic() >= self._fallback_until:
            try:
                return action(self.storage)
            except self._failures as exc:
                with self._lock:
                    self._fallback_until = time.monotonic() + FALLBACK_SECONDS
                probes.storage_fell_back.send(None, what=what)
                log.warning("%s: rate-limit storage %s failed (%s); counting in %s for "
                            "%.0f s", what, self.url.split("@")[-1], exc,
                            "memory" if fallback is None else "the database",
                            FALLBACK_SECONDS)
        return action(self.memory) if fallback is None else fallback()
