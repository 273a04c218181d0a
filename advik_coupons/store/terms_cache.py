"""A short per-process cache of coupon terms for quotes (docs/contracts.md §3).

Quotes are previews, so reading terms a few seconds old is harmless; redeem
never reads through it. Changes made through this process call
:meth:`TermsCache.drop` for the coupon at once.

Each entry lives a random 75–100 % of ``seconds``: codes first read together
(a campaign's first minute) would otherwise all expire together and be read
again in one burst, a pause every few seconds that shows in the tail latency.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict

from ..domain.rules import Terms

_MISSING = object()


class TermsCache:
    def __init__(self, seconds: float, max_entries: int = 20_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Terms | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code: str) -> Terms | None | object:
        """The cached terms (``None`` for a code known not to exist) or ``_MISSING``."""
        if self.seconds <= 0:
            return _MISSING
        with self._lock:
            entry = self._entries.get(code)
            if entry is None:
                return _MISSING
            if entry[0] < time.monotonic():
                del self._entries[code]
                return _MISSING
            return entry[1]

    def put(self, code: str, terms: Terms | None) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            life = self.seconds * random.uniform(0.75, 1.0)  # noqa: S311 - not security
            self._entries[code] = (time.monotonic() + life, terms)
            self._entries.move_to_end(code)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, coupon_id: int | None = None) -> None:
        """Forget one coupon's codes (every entry when ``coupon_id`` is None)."""
        with self._lock:
            if coupon_id is None:
                self._entries.clear()
                return
            for code in [c for c, (_, t) in self._entries.items()
                         if t is None or t.coupon_id == coupon_id]:
                del self._entries[code]


def is_missing(value: object) -> bool:
    return value is _MISSING
