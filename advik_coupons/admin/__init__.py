"""The admin pages (DESIGN §4.3): log-in, coupon list, create/edit, the tracking view,
manual apply and code batches, on one blueprint ``advik_admin``.

``wiring.py`` registers :data:`bp` under ``ADVIK_URL_PREFIX + ADVIK_ADMIN_PREFIX``
and calls :func:`setup`. Another module adds a page to the admin with
``from advik_coupons.admin.blueprint import bp`` and
``from advik_coupons.admin.auth import admin_required``, extending
``admin/base.html`` (blocks ``title`` and ``content``).
"""

from __future__ import annotations

from . import (  # noqa: F401  (routes and template helpers)
    helpers,
    views_batches,
    views_bookings,
    views_edit,
    views_list,
    views_manual,
    views_track,
)
from .auth import admin_required, current_admin, setup
from .blueprint import bp

__all__ = ["admin_required", "bp", "current_admin", "setup"]
