"""Sending signals without ever slowing or breaking the request that sends them.

:func:`emit` hands each receiver of a signal to a small pool of background
threads (:mod:`advik_coupons.events.hookpool`) that runs it with the app
context pushed and logs what it raises, so an integrator's handler that
raises or hangs never breaks or slows the customer's request. Receivers
therefore run *after* the request's transaction and outside its request
context: they get plain values (dicts, :class:`~advik_coupons.domain.rules.Booking`,
...), never ORM rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import NamedSignal
from flask import Flask, current_app

from . import hookpool


def connect(signal: NamedSignal, handler: Callable[..., Any],
            app: Flask | None = None) -> Callable[..., Any]:
    """Connect ``handler`` to ``signal`` strongly (a closure stays connected).

    With ``app`` it receives only that app's events. Returns ``handler``.
    """
    if app is None:
        return signal.connect(handler, weak=False)
    return signal.connect(handler, sender=app, weak=False)


def emit(signal: NamedSignal, **kwargs: Any) -> None:
    """Send ``signal`` with the current app as sender, without waiting for receivers."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    receivers = list(signal.receivers_for(app))
    if receivers:
        hookpool.pool_for(app).submit(signal.name, receivers, kwargs)


def wait_for_hooks(app: Flask, timeout: float = 5.0) -> bool:
    """Block until the receivers already emitted for ``app`` have run (tests, shutdown)."""
    return hookpool.pool_for(app).wait_idle(timeout)
