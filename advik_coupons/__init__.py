"""Advik Coupons: a coupon engine for booking websites, as a Flask extension."""

from .app import create_app
from .errors import CouponRejected, DuplicateCode, InvalidRequest, RateLimited
from .extension import AdvikCoupons
from .redeeming import Quote, RedeemResult, cancel, quote, record_booking, redeem
from .rules import Booking

__all__ = [
    "AdvikCoupons",
    "Booking",
    "CouponRejected",
    "DuplicateCode",
    "InvalidRequest",
    "Quote",
    "RateLimited",
    "RedeemResult",
    "cancel",
    "create_app",
    "quote",
    "record_booking",
    "redeem",
]
