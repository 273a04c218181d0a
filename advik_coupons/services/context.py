"""What every service needs to know of the moment: the rules' context and the site's day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..domain.rules import Context
from ..state import AppState


def rules_context(state: AppState, now: datetime | None = None) -> Context:
    """The site's time zone, currency and e-mail comparison, at ``now`` (default: this instant)."""
    return Context(now=now or datetime.now(UTC), tz=state.tz, currency=state.currency,
                   canonical_emails=state.canonical_emails)


def site_today(state: AppState, now: datetime | None = None) -> date:
    """The date in the site's time zone (the funnel's and the stats' day)."""
    return (now or datetime.now(UTC)).astimezone(state.tz).date()
