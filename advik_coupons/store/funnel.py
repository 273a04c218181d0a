"""Funnel counters: tries, applies and rejections per coupon, day and reason.

Counting must stay cheap on the payment step, so counts are summed in
process memory and written as one upsert per (coupon, day, metric) at most
every ``ADVIK_FUNNEL_FLUSH_SECONDS`` (0 writes at once). A process that dies
loses at most that window of *counts* — never a redemption.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from ..domain.errors import Busy
from . import retry
from .dialects import upsert_adding
from .models import CouponDailyStat

UNKNOWN_COUPON = 0


class FunnelCounter:
    def __init__(self, engine: Engine, flush_seconds: float) -> None:
        self._engine = engine
        self.flush_seconds = flush_seconds
        self._pending: Counter[tuple[int, date, str]] = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def count(self, coupon_id: int | None, day: date, *metrics: str) -> None:
        with self._lock:
            for metric in metrics:
                self._pending[(coupon_id or UNKNOWN_COUPON, day, metric)] += 1
            due = time.monotonic() - self._last_flush >= self.flush_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what is pending (one statement per key, one transaction)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        engine = self._engine
        table: Table = CouponDailyStat.__table__  # type: ignore[assignment]
        rows = [{"coupon_id": c, "day": d, "metric": m, "count": n}
                for (c, d, m), n in sorted(pending.items())]
        stmt = upsert_adding(table, ["coupon_id", "day", "metric"], ["count"],
                             engine.dialect.name)
        def write() -> None:
            with engine.begin() as connection:
                connection.execute(stmt, rows)

        try:
            retry.run(write, what="funnel flush")
        except Busy:  # other processes kept winning the same counters: add them next time
            with self._lock:
                self._pending.update(pending)
        except Exception:
            with self._lock:  # keep the counts for the next flush
                self._pending.update(pending)
            raise
