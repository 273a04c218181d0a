"""Rate limits on ``POST /coupons/apply`` (docs/contracts.md §5), counted with ``limits``.

``ADVIK_APPLY_RATE_LIMIT`` (e.g. ``30/minute``; empty turns it off) is counted
twice, in fixed windows:

* per client — the socket's address, or the ``X-Forwarded-For`` entry
  added by the outermost of the ``ADVIK_TRUSTED_PROXIES`` proxies (the same
  choice werkzeug's ``ProxyFix`` makes, without rewriting the host's WSGI
  environ); an IPv6 client is its /64 (one line, one customer, hands out a
  whole /64), an IPv4-mapped IPv6 address is its IPv4 address;
* per e-mail, when the body carries one (hashed, so the storage never holds
  addresses): it counts the *clients* that tried the e-mail in the window, not
  the tries. The e-mail's counter moves only when a client's counter for that
  e-mail starts, so one client typing someone else's e-mail again and again
  (held back by its own limit) never locks that customer out, while many
  clients spraying one e-mail still are.

``ADVIK_RATELIMIT_STORAGE_URL`` picks the storage (any ``limits`` storage URL):
``memory://`` for one process, ``redis://…`` to share the counts among all
workers and servers. With Redis both counters move in **one** round trip (a
Lua script over both keys, the same ``INCRBY`` + ``EXPIRE`` the ``limits``
fixed window runs for one key); this is why the apply limit is not a
Flask-Limiter decorator, which makes one round trip per limit and inspects
every request of the host app. When the storage fails the counts fall back to
this process's memory for a few seconds (:mod:`advik_coupons.web.limitstore`).

One :class:`ApplyLimiter` per app (``get_state().apply_limiter``), never a
module-level one, so two apps in one process keep their own memory counts.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from flask import Flask, current_app, request
from limits import RateLimitItem
from limits.storage import RedisStorage, Storage
from limits.storage.redis_cluster import RedisClusterStorage
from redis.commands.core import Script

from ..state import AppState, get_state
from .bodies import read_body
from .errors import RateLimited
from .limitstore import LimitStore, parse_rate, retry_after

KEY_PREFIX = "advik_apply"
APPLY_ENDPOINT = "advik_checkout.apply"
#: A campaign link is counted like a try of a code.
LINK_ENDPOINT = "advik_checkout.go"
#: The demo's booking form takes a typed code too, so it is counted like an apply.
DEMO_BOOK_ENDPOINT = "advik_demo.book"

# KEYS: the client's counter, then optionally the (client, e-mail) pair's and the
# e-mail's; ARGV[1]: the window in seconds. Returns count, ms left for the client and,
# with an e-mail, for the e-mail, which moves only when the pair's counter starts.
# A counter without an expiry (new, or left so by anything) gets one: none stays forever.
_INCR_ALL = b"""
local function hit(key)
    local current = redis.call("incrby", key, 1)
    local left = redis.call("pttl", key)
    if left < 0 then
        redis.call("expire", key, ARGV[1])
        left = tonumber(ARGV[1]) * 1000
    end
    return current, left
end
local count, left = hit(KEYS[1])
local out = {count, left}
if #KEYS == 3 then
    if hit(KEYS[2]) == 1 then
        count, left = hit(KEYS[3])
    else
        count = tonumber(redis.call("get", KEYS[3]) or "0")
        left = math.max(redis.call("pttl", KEYS[3]), 0)
    end
    out[3] = count
    out[4] = left
end
return out
"""


def client_key(address: str) -> str:
    """What the limit counts for an address: an IPv6 address's /64, else the address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def client_address() -> str:
    """The client's address, trusting ``ADVIK_TRUSTED_PROXIES`` proxies' headers."""
    trusted = int(current_app.config.get("ADVIK_TRUSTED_PROXIES") or 0)
    if trusted > 0:
        header = ",".join(request.headers.getlist("X-Forwarded-For"))
        values = [v.strip() for v in header.split(",") if v.strip()]
        if len(values) >= trusted:
            return values[-trusted]
    return request.remote_addr or "unknown"


def request_email() -> str | None:
    """The e-mail of the request body, lower-cased, or None (never raises)."""
    try:
        value = read_body(request).get("email")  # parsed once per request, then reused
    except Exception:  # noqa: BLE001 - a bad body is the view's to report, not the limiter's
        value = None
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ApplyLimiter:
    """Counts the apply limits of one app: ``hit(address, email)`` or :class:`RateLimited`."""

    def __init__(self, rate: str, storage_url: str) -> None:
        self.item: RateLimitItem = parse_rate("ADVIK_APPLY_RATE_LIMIT", rate)
        self.store = LimitStore(storage_url)
        self.storage = self.store.storage
        self._script: Script | None = None
        if isinstance(self.storage, RedisStorage) and not isinstance(
                self.storage, RedisClusterStorage):  # a cluster cannot run a two-key script
            self._script = self.storage.get_connection().register_script(_INCR_ALL)

    def keys(self, address: str, email: str | None) -> list[str]:
        """The client's counter; with an e-mail, the pair's and the e-mail's too."""
        client = client_key(address)
        found = [self.item.key_for(KEY_PREFIX, "addr", client)]
        if email:
            digest = _email_digest(email)
            found.append(self.item.key_for(KEY_PREFIX, "pair", _email_digest(client),
                                           digest))
            found.append(self.item.key_for(KEY_PREFIX, "email", digest))
        return found

    def hit(self, address: str, email: str | None) -> None:
        """Count one try for the address (and the e-mail); raise when either is over."""
        keys = self.keys(address, email)
        counts = self.store.run(lambda storage: self._count_in(storage, keys), "apply limit")
        over = [left for count, left in counts if count > self.item.amount]
        if over:
            raise RateLimited(retry_after(self.item, max(over)))

    def _count_in(self, storage: Storage, keys: list[str]) -> list[tuple[int, float]]:
        """(count, seconds left in the window) of the client and of the e-mail, in one
        round trip when possible."""
        expiry = self.item.get_expiry()
        if storage is self.storage and self._script is not None:
            assert isinstance(storage, RedisStorage)
            raw = self._script(keys=[storage.prefixed_key(k) for k in keys], args=[expiry])
            return [(int(raw[i]), max(int(raw[i + 1]), 0) / 1000) for i in range(0, len(raw), 2)]
        counted = [self._incr(storage, keys[0], expiry)]
        if len(keys) == 3:
            if storage.incr(keys[1], expiry) == 1:
                counted.append(self._incr(storage, keys[2], expiry))
            else:
                counted.append((storage.get(keys[2]),
                                max(storage.get_expiry(keys[2]) - time.time(), 0.0)))
        return counted

    @staticmethod
    def _incr(storage: Storage, key: str, expiry: int) -> tuple[int, float]:
        count = storage.incr(key, expiry)
        return count, storage.get_expiry(key) - time.time()


def check_apply_limit() -> None:
    """``before_request`` of the checkout and demo blueprints: count a POST to the apply
    view or to the demo's booking form, and an opened campaign link (by the client's
    address only)."""
    posted = request.method == "POST" and request.endpoint in (APPLY_ENDPOINT,
                                                              DEMO_BOOK_ENDPOINT)
    counted = posted or (request.method == "GET" and request.endpoint == LINK_ENDPOINT)
    if not counted:
        return
    limiter = app_limiter()
    if limiter is not None:
        limiter.hit(client_address(),
                    request_email() if posted else None)


def init_limits(app: Flask, state: AppState) -> ApplyLimiter | None:
    """Create this app's limiter (:func:`check_apply_limit` counts with it)."""
    rate = str(app.config.get("ADVIK_APPLY_RATE_LIMIT") or "").strip()
    if not rate:
        return None
    limiter = ApplyLimiter(rate, str(app.config.get("ADVIK_RATELIMIT_STORAGE_URL")
                                     or "memory://"))
    state.apply_limiter = limiter
    return limiter


def app_limiter(app: Flask | None = None) -> ApplyLimiter | None:
    """The apply limiter of ``app`` (default: the current app), if limits are on."""
    found = get_state(app).apply_limiter
    return found if isinstance(found, ApplyLimiter) else None
