"""Advik Coupons: a coupon engine for booking websites, as a Flask extension."""

from .app import create_app
from .domain.errors import CouponRejected, DuplicateCode, InvalidRequest, NotFound
from .domain.rules import Booking
from .extension import AdvikCoupons
from .services.cancelling import cancel
from .services.ledger import record_booking
from .services.quoting import Quote, quote
from .services.redeeming import RedeemResult, redeem
from .web.errors import RateLimited

__all__ = [
    "AdvikCoupons",
    "Booking",
    "CouponRejected",
    "DuplicateCode",
    "InvalidRequest",
    "NotFound",
    "Quote",
    "RateLimited",
    "RedeemResult",
    "cancel",
    "create_app",
    "quote",
    "record_booking",
    "redeem",
]
