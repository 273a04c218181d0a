"""Valid API tokens remembered for a few seconds by one process.

Checking a bearer token is a query on every API call; a token found valid is
remembered for :data:`TOKEN_CACHE_SECONDS`, so revoking one takes that long
to reach every worker (the worker that revokes it forgets it at once).
Wrong tokens are never remembered: they are always looked up.
"""

from __future__ import annotations

import threading
import time

TOKEN_CACHE_SECONDS = 5.0
MAX_ENTRIES = 1000


class TokenCache:
    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._names: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> str | None:
        """The name behind a token digest found valid a moment ago, or None."""
        known = self._names.get(digest)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        return None

    def put(self, digest: str, name: str) -> None:
        with self._lock:
            if len(self._names) >= MAX_ENTRIES:
                self._names.clear()
            self._names[digest] = (time.monotonic() + self.seconds, name)

    def clear(self) -> None:
        with self._lock:
            self._names.clear()
