"""The demo booking site (``advik-coupons demo``) and what it sells."""

from .site import bp, register

__all__ = ["bp", "register"]
