"""A per-client-address limit on failed admin log-ins (``docs/contracts.md`` §5).

Counted with ``limits``.

The lock in :mod:`.auth` is per account, so one password tried against many
accounts from one address would never be slowed; this limit is per address.

Settings it reads:

* ``ADVIK_ADMIN_LOGIN_RATE_LIMIT`` — e.g. ``10/minute`` (the default); empty
  turns it off. Log-in attempts from one address are counted in fixed
  windows *before* the password is checked (so a burst of simultaneous tries
  cannot all slip in under the limit), and a successful log-in gives its count
  back: what is limited is failures (unknown e-mail, wrong password, locked
  account). Over the limit the log-in form answers ``429`` with
  ``Retry-After`` **without checking the password** until the window ends.
* ``ADVIK_RATELIMIT_STORAGE_URL`` — where the counts live (a ``limits``
  storage URL): ``memory://`` for one process, ``redis://…`` shared by all
  workers. When Redis fails the counts go to the database for a few seconds
  (``store/login_counts.py``), with a warning in the log: the limit stays one
  limit for all workers rather than one per process, and the log-in page
  keeps working.
* ``ADVIK_TRUSTED_PROXIES`` — through :func:`advik_coupons.web.ratelimit.client_address`,
  which picks the client's address.

One :class:`LoginThrottle` per app, ``get_state(app).login_throttle``.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from limits import RateLimitItem
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

from ..state import get_state
from ..store import login_counts
from ..store.models import utcnow
from ..web.limitstore import LimitStore, parse_rate, retry_after
from ..web.ratelimit import client_address

KEY_PREFIX = "advik_admin_login"


class LoginThrottle:
    """Counts failed log-ins per address in the configured storage (memory if it fails)."""

    def __init__(self, rate: str, storage_url: str) -> None:
        self.item: RateLimitItem = parse_rate("ADVIK_ADMIN_LOGIN_RATE_LIMIT", rate)
        self.store = LimitStore(storage_url)
        self._limiters = {storage: FixedWindowRateLimiter(storage)
                          for storage in (self.store.storage, self.store.memory)}

    def attempt(self, address: str) -> int:
        """Count an attempt from ``address``: 0 when it may go on, else the seconds to wait."""

        def count(storage: Storage) -> int:
            limiter = self._limiters[storage]
            if limiter.hit(self.item, KEY_PREFIX, address):
                return 0
            reset_at = limiter.get_window_stats(self.item, KEY_PREFIX, address).reset_time
            return retry_after(self.item, reset_at - time.time())

        def in_database() -> int:
            now = utcnow()
            window = timedelta(seconds=self.item.get_expiry())
            session = get_state().session
            hits = login_counts.hit(session, _db_key(address), window, now)
            if hits <= self.item.amount:
                return 0
            found = login_counts.current(session, _db_key(address), now)
            left = (found[1] - now).total_seconds() if found else window.total_seconds()
            return retry_after(self.item, left)

        return self.store.run(count, "admin log-in limit", in_database)

    def succeeded(self, address: str) -> None:
        """Give back the count of an attempt that logged in."""
        key = self.item.key_for(KEY_PREFIX, address)
        self.store.run(lambda storage: storage.incr(key, self.item.get_expiry(), amount=-1),
                       "admin log-in limit",
                       lambda: login_counts.give_back(get_state().session, _db_key(address)))


def _db_key(address: str) -> str:
    return login_counts.key_for(KEY_PREFIX, address)


def setup(app: Flask) -> LoginThrottle | None:
    """Create this app's throttle (``None`` when ``ADVIK_ADMIN_LOGIN_RATE_LIMIT`` is empty)."""
    rate = str(app.config.get("ADVIK_ADMIN_LOGIN_RATE_LIMIT") or "").strip()
    throttle = None
    if rate:
        throttle = LoginThrottle(rate, str(app.config.get("ADVIK_RATELIMIT_STORAGE_URL")
                                           or "memory://"))
    get_state(app).login_throttle = throttle
    return throttle


def _current() -> LoginThrottle | None:
    found = get_state().login_throttle
    return found if isinstance(found, LoginThrottle) else None


def attempt() -> int:
    """Count this request's log-in attempt: 0 when it may go on, else the seconds to wait."""
    throttle = _current()
    return throttle.attempt(client_address()) if throttle is not None else 0


def succeeded() -> None:
    """This request's attempt logged in: it does not count as a failure."""
    throttle = _current()
    if throttle is not None:
        throttle.succeeded(client_address())


def message(seconds: int) -> str:
    """What the log-in page says while the address is limited."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many failed log-ins from your network. Try again in {seconds} {unit}."
