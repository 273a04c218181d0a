"""Coupon events as log lines (with ``ADVIK_LOG_FORMAT=json``): one INFO line per
apply, rejection, redemption and release, with the event, the reason code and the
coupon's id as fields — never the code, the e-mail or the booking.

The receivers run on the hook pool like any other, so they never slow the
request; the pool binds the request's id, so each line names its request.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from .. import signals
from .emit import connect

log = logging.getLogger("advik_coupons.events")


def _coupon_id(coupon: Any) -> int | None:
    found = coupon.get("id") if isinstance(coupon, dict) else None
    return found if isinstance(found, int) else None


def _applied(_app: Flask, **kwargs: Any) -> None:
    log.info("coupon applied", extra={"event": "coupon.applied", "reason": "applied",
                                      "coupon_id": _coupon_id(kwargs.get("coupon"))})


def _rejected(_app: Flask, **kwargs: Any) -> None:
    log.info("coupon rejected", extra={"event": "coupon.rejected",
                                       "reason": str(kwargs.get("reason") or ""),
                                       "coupon_id": kwargs.get("coupon_id")})


def _redeemed(_app: Flask, **kwargs: Any) -> None:
    redemption = kwargs.get("redemption") or {}
    log.info("coupon redeemed", extra={"event": "coupon.redeemed",
                                       "coupon_id": _coupon_id(kwargs.get("coupon")),
                                       "redemption_id": redemption.get("id")})


def _released(_app: Flask, **kwargs: Any) -> None:
    redemption = kwargs.get("redemption") or {}
    log.info("coupon released", extra={"event": "coupon.released",
                                       "coupon_id": _coupon_id(kwargs.get("coupon")),
                                       "redemption_id": redemption.get("id")})


def connect_event_log(app: Flask) -> None:
    """Log ``app``'s coupon events (called when ``ADVIK_LOG_FORMAT`` is ``json``)."""
    for signal, receiver in ((signals.coupon_applied, _applied),
                             (signals.coupon_rejected, _rejected),
                             (signals.coupon_redeemed, _redeemed),
                             (signals.coupon_released, _released)):
        connect(signal, receiver, app)
