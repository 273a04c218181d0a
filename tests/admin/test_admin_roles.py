"""Roles (DESIGN §12): every admin route walked as an owner, a manager and a viewer.

A viewer reads every page and is answered ``403`` by every change, which
leaves the coupon, its redemption and its history as they were; a manager
changes coupons but not what only an owner may; ``create-admin --role`` sets it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from advik_coupons import Booking, redeem
from advik_coupons.admin import OWNER_CHANGES, ROUTES
from advik_coupons.services.coupons import create_batch
from advik_coupons.state import get_state
from advik_coupons.store.models import AdminUser, Coupon, CouponHistory, Redemption
from tests.admin.test_admin_anonymous import admin_routes
from tests.admin_support import AdminClient
from tests.conftest import make_coupon

WALK = admin_routes()
OWNER_ENDPOINTS = {"advik_admin." + view.__name__ for view in OWNER_CHANGES}
CASES = [(role, *route) for role in ("owner", "manager", "viewer") for route in WALK]
#: The form each change posts, so an allowed change really changes something.
BODIES: dict[str, dict[str, Any]] = {
    "advik_admin.coupon_new": {"name": "New", "code": "NEWCODE", "discount_type": "percent",
                               "discount_value": "5", "booking_types": ["one_time"]},
    "advik_admin.coupon_edit": {"name": "Edited", "code": "ROLE10", "discount_type": "percent",
                                "discount_value": "15", "booking_types": ["one_time"]},
    "advik_admin.batches": {"count": "2", "prefix": "VIP"},
}


def seed(app: Flask) -> dict[str, int]:
    coupon_id = make_coupon(app, name="Role campaign", code="ROLE10")
    with app.app_context():
        batch, _codes = create_batch(coupon_id, 2, "R")
        made = redeem("ROLE10", Booking(subtotal=Decimal("100.00"), booking_ref="role-1"))
        return {"coupon_id": coupon_id, "batch_id": batch.id,
                "redemption_id": made.redemption.id, "row_id": 1}


def snapshot(app: Flask, coupon_id: int) -> tuple[Any, ...]:
    with app.app_context():
        session = get_state().session
        coupon = session.get(Coupon, coupon_id)
        assert coupon is not None
        status = session.execute(select(Redemption.status)).scalars().all()
        lines = session.execute(select(CouponHistory.id)).scalars().all()
        count = session.execute(select(Coupon.id)).scalars().all()
        return (coupon.name, coupon.active, coupon.archived_at, coupon.used, tuple(status),
                tuple(lines), tuple(count))


def test_every_route_is_walked() -> None:
    """A new route cannot be left out: the walk reads the app's URL map, and it is the list."""
    listed = {"advik_admin." + view.__name__ for _rule, view, _methods in ROUTES}
    assert {endpoint for endpoint, _m, _r in WALK} == listed
    assert any(method == "POST" for _e, method, _r in WALK)


@pytest.mark.parametrize(("role", "endpoint", "method", "rule"), CASES,
                         ids=[f"{c[0]} {c[2]} {c[3]}" for c in CASES])
def test_each_role_on_each_route(app: Flask, role: str, endpoint: str, method: str,
                                 rule: str) -> None:
    values = seed(app)
    admin = AdminClient(app, role=role)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
    before = snapshot(app, values["coupon_id"])
    if method == "GET":
        response = admin.get(path)
        assert response.status_code == 200, (role, path, response.status_code)
        return
    response = admin.post(path, BODIES.get(endpoint, {}))
    allowed = role == "owner" or (role == "manager" and endpoint not in OWNER_ENDPOINTS)
    if allowed:
        assert response.status_code != 403, (role, path)
        assert response.status_code < 500
    else:
        assert response.status_code == 403, (role, path, response.status_code)
        assert "may not change" in response.text
        assert snapshot(app, values["coupon_id"]) == before


def test_a_viewer_sees_no_change_buttons(app: Flask) -> None:
    values = seed(app)
    viewer = AdminClient(app, role="viewer")
    page = viewer.get(f"/admin/coupons/{values['coupon_id']}").text
    bookings = viewer.get(f"/admin/coupons/{values['coupon_id']}/bookings").text
    assert ">Edit<" not in page and "Duplicate" not in page and "Deactivate" not in page
    assert "Cancel…" not in bookings
    manager = AdminClient(app, role="manager", email="manager@example.com")
    assert "Cancel…" in manager.get(f"/admin/coupons/{values['coupon_id']}/bookings").text


def test_create_admin_role_option_and_existing_admins_are_owners(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["advik", "create-admin", "--email", "v@example.com",
                                 "--password", "a long password", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    assert "(viewer)" in result.output
    bad = runner.invoke(args=["advik", "create-admin", "--email", "x@example.com",
                              "--password", "a long password", "--role", "boss"])
    assert bad.exit_code != 0
    runner.invoke(args=["advik", "create-admin", "--email", "o@example.com",
                        "--password", "a long password"])
    with app.app_context():
        rows = get_state().session.execute(select(AdminUser.email, AdminUser.role)).all()
    roles = {email: role for email, role in rows}
    assert roles == {"v@example.com": "viewer", "o@example.com": "owner"}
