"""What the extension keeps for one app, and :func:`get_state` to reach it.

:class:`AppState` is made by :meth:`advik_coupons.AdvikCoupons.init_app` and
held by the extension object in ``app.extensions["advik_coupons"]`` (never
hung on the app itself). Every layer above the store reaches it through
:func:`get_state`; this module imports only the store, the channel types and
the settings, never a face or a worker, so nothing below the faces depends on
how the app is wired.

The rate limiters are typed by the small protocols below: the web layer
makes them, everything else only needs to know how to call them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Protocol

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from .channels import Channel
from .store.funnel import FunnelCounter
from .store.terms_cache import TermsCache
from .store.token_cache import TokenCache

EXTENSION_KEY = "advik_coupons"


class ApplyLimit(Protocol):
    """Counts one try of ``POST /coupons/apply``; raises when the client is over its limit."""

    def hit(self, address: str, email: str | None) -> None: ...


class LoginLimit(Protocol):
    """Counts admin log-in attempts per client address."""

    def attempt(self, address: str) -> int: ...

    def succeeded(self, address: str) -> None: ...


@dataclass
class AppState:
    """What the extension keeps for one app."""

    db: SQLAlchemy
    sessions: scoped_session[Session]
    tz: tzinfo
    currency: str
    tax_rate: Decimal
    terms_cache: TermsCache
    funnel: FunnelCounter
    tokens: TokenCache = field(default_factory=TokenCache)
    #: ``ADVIK_EMAIL_CANONICAL``: customers compared by canonical e-mail.
    canonical_emails: bool = True
    #: ``ADVIK_CUSTOMER_LOOKUP``: "has this customer booked before?" instead of the ledger.
    customer_lookup: Callable[[str], bool] | None = None
    #: ``ADVIK_ADMIN_AUTHORIZER``: the host's own admin check.
    admin_authorizer: Callable[[], object] | None = None
    #: The outbox's delivery channels (the webhook, Slack, a hook's own).
    channels: list[Channel] = field(default_factory=list)
    apply_limiter: ApplyLimit | None = None
    login_throttle: LoginLimit | None = None
    #: Receivers the hook modules connected (kept strongly for the app's lifetime).
    hook_receivers: list[Any] = field(default_factory=list)
    #: The hook modules that loaded, in load order.
    hooks_loaded: list[str] = field(default_factory=list)
    #: Set to stop this process's outbox thread, when one runs.
    delivery_stop: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def session(self) -> Session:
        """The plugin's own session for the current app context.

        It is not the host's ``db.session``: the plugin commits and rolls back
        its own transactions without touching a host's pending changes. It is
        removed when the app context ends (one lifecycle per request).
        """
        return self.sessions()

    @property
    def engine(self) -> Engine:
        return self.db.engine


class _HoldsState(Protocol):
    def state(self, app: Flask) -> AppState: ...


def get_state(app: Flask | None = None) -> AppState:
    """The extension's state for ``app`` (default: the current app)."""
    target: Flask = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    ext: _HoldsState | None = target.extensions.get(EXTENSION_KEY)
    if ext is None:
        raise RuntimeError(
            "AdvikCoupons is not set up on this app: AdvikCoupons(app) or create_app().")
    return ext.state(target)
