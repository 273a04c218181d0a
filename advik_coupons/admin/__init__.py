"""The admin pages (``docs/contracts.md`` §4.3) on one blueprint, ``advik_admin``.

:data:`ROUTES` lists every page; :func:`register` mounts the blueprint under
``ADVIK_URL_PREFIX + ADVIK_ADMIN_PREFIX`` and hardens the session cookie.
Every admin may read every page; a change needs a ``manager`` (an
``owner`` for :data:`OWNER_CHANGES`), else ``403``.
Admin answers may be framed only as :mod:`.framing` says.
A host adds a page of its own to the admin with
``from advik_coupons.admin.blueprint import bp`` and
``from advik_coupons.admin.auth import admin_required``, extending
``admin/base.html`` (blocks ``title`` and ``content``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from . import (
    deliveries,
    framing,
    summary,
    views_batches,
    views_bookings,
    views_bulk,
    views_edit,
    views_list,
    views_login,
    views_manual,
    views_overview,
    views_sso,
    views_track,
    views_transfer,
    views_undo,
)
from .auth import admin_required, current_admin, setup, template_context
from .blueprint import bp
from .helpers import template_helpers

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")

Route = tuple[str, Callable[..., Any], tuple[str, ...]]

#: (rule, view, methods) of the pages anyone may open.
PUBLIC_ROUTES: tuple[Route, ...] = (
    ("/login", views_login.login, BOTH),
    ("/logout", views_login.logout, BOTH),
    ("/sso", views_sso.sso, GET),  # WordPress single sign-on (ADVIK_WORDPRESS_SSO_SECRET)
)
#: (rule, view, methods) of every other admin page: each is ``admin_required``.
ROUTES: tuple[Route, ...] = (
    ("/", views_overview.overview_page, GET),
    ("/overview.csv", views_overview.overview_csv, GET),
    ("/coupons", views_list.coupon_list, GET),
    ("/coupons/new", views_edit.coupon_new, BOTH),
    ("/coupons/bulk", views_bulk.coupon_bulk, POST),
    ("/coupons.csv", views_transfer.coupons_csv, GET),
    ("/coupons/import", views_transfer.coupons_import, BOTH),
    ("/coupons/generate-code", views_edit.generate_code, GET),
    ("/coupons/summary", summary.summary_json, GET),
    ("/coupons/<int:coupon_id>", views_track.coupon_view, GET),
    ("/coupons/<int:coupon_id>/edit", views_edit.coupon_edit, BOTH),
    ("/coupons/<int:coupon_id>/toggle", views_list.coupon_toggle, POST),
    ("/coupons/<int:coupon_id>/delete", views_list.coupon_delete, POST),
    ("/coupons/<int:coupon_id>/restore", views_undo.coupon_restore, POST),
    ("/coupons/<int:coupon_id>/duplicate", views_undo.coupon_duplicate, POST),
    ("/coupons/<int:coupon_id>/bookings", views_bookings.bookings, GET),
    ("/coupons/<int:coupon_id>/bookings.csv", views_bookings.bookings_csv, GET),
    ("/coupons/<int:coupon_id>/bookings/<int:redemption_id>/cancel",
     views_undo.redemption_cancel, BOTH),
    ("/coupons/<int:coupon_id>/apply", views_manual.manual_apply, BOTH),
    ("/coupons/<int:coupon_id>/batches", views_batches.batches, BOTH),
    ("/coupons/<int:coupon_id>/batches/<int:batch_id>", views_batches.batch_view, GET),
    ("/coupons/<int:coupon_id>/batches/<int:batch_id>.csv", views_batches.batch_csv, GET),
    ("/deliveries", deliveries.deliveries, GET),
    ("/deliveries/<int:row_id>/retry", deliveries.delivery_retry, POST),
)

for _rule, _view, _methods in PUBLIC_ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
#: The views whose changes need an ``owner`` (every other change needs a ``manager``).
OWNER_CHANGES: frozenset[Callable[..., Any]] = frozenset({deliveries.delivery_retry})

for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=admin_required(
        _view, writes="owner" if _view in OWNER_CHANGES else "manager"), methods=list(_methods))
bp.context_processor(template_context)
bp.context_processor(template_helpers)
bp.after_request(framing.apply)  # frame-ancestors: 'none', or the WordPress origin of an SSO


def register(app: Flask, url_prefix: str) -> None:
    """Mount the admin pages and set up their log-in."""
    app.register_blueprint(bp, url_prefix=url_prefix)
    setup(app)
    views_sso.setup(app)


__all__ = ["OWNER_CHANGES", "PUBLIC_ROUTES", "ROUTES", "admin_required", "bp", "current_admin",
           "register"]
