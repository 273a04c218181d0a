"""How far behind the outbox is: notices per channel and status, and the oldest due one.

Read by the metrics endpoint at each scrape (one grouped query on the
``(status, next_attempt_at)`` index's rows that are not delivered), so the
figure is the database's, the same whichever worker is scraped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from .models import OutboxMessage

#: The statuses of notices that are not delivered.
UNDELIVERED = ("pending", "failed", "disabled")


@dataclass(frozen=True)
class Backlog:
    channel: str
    status: str
    count: int
    #: The ``created_at`` of the oldest notice due now (pending rows only), if any.
    oldest_due: datetime | None


def outbox_backlog(connection: Connection, now: datetime) -> list[Backlog]:
    """Undelivered notices per (channel, status) and the oldest one due at ``now``."""
    t = OutboxMessage.__table__
    due = case((t.c.next_attempt_at <= now, t.c.created_at))
    rows = connection.execute(
        select(t.c.channel, t.c.status, func.count(), func.min(due))
        .where(t.c.status.in_(UNDELIVERED))
        .group_by(t.c.channel, t.c.status)).all()
    return [Backlog(str(channel), str(status), int(count),
                    oldest if status == "pending" else None)
            for channel, status, count, oldest in rows]
