"""Bulk activate / deactivate / archive from the coupon list (DESIGN §12)."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from advik_coupons import Booking, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.admin_support import AdminClient
from tests.conftest import ApiClient, make_coupon


def states(app: Flask) -> dict[int, tuple[bool, bool]]:
    with app.app_context():
        rows = get_state().session.execute(select(Coupon)).scalars().all()
        return {c.id: (c.active, c.archived_at is not None) for c in rows}


def test_bulk_actions_change_the_ticked_coupons_only(app: Flask) -> None:
    admin = AdminClient(app)
    a, b, c = (make_coupon(app, code=code) for code in ("BULKA", "BULKB", "BULKC"))
    listing = admin.get("/admin/coupons").text
    assert 'id="bulk-form"' in listing and f'name="ids" value="{a}" form="bulk-form"' in listing
    response = admin.post("/admin/coupons/bulk", {"action": "deactivate", "ids": [a, b],
                                                  "next": "/admin/coupons?sort=code"})
    assert response.status_code == 302 and response.location.endswith("/admin/coupons?sort=code")
    assert states(app) == {a: (False, False), b: (False, False), c: (True, False)}
    assert "2 coupons deactivated." in admin.get("/admin/coupons").text
    admin.post("/admin/coupons/bulk", {"action": "activate", "ids": [a, c]})
    assert states(app) == {a: (True, False), b: (False, False), c: (True, False)}
    assert "1 already were" in admin.get("/admin/coupons").text
    with app.app_context():  # a used coupon and an unused one: both archived, none deleted
        redeem("BULKA", Booking(subtotal=Decimal("10.00"), booking_ref="bulk-1"))
    admin.post("/admin/coupons/bulk", {"action": "archive", "ids": [a, b]})
    assert states(app) == {a: (False, True), b: (False, True), c: (True, False)}
    history = ApiClient(app).get(f"/coupons/{b}/history").json["items"]
    assert [i["action"] for i in history] == ["archived", "deactivated", "created"]
    assert admin.post(f"/admin/coupons/{b}/restore").status_code == 302


def test_bulk_refuses_what_it_cannot_read(app: Flask) -> None:
    admin = AdminClient(app)
    a = make_coupon(app, code="BULKZ")
    assert admin.post("/admin/coupons/bulk", {"action": "delete", "ids": [a]}).status_code == 400
    assert admin.post("/admin/coupons/bulk", {"action": "archive", "ids": ["x"]}
                      ).status_code == 400
    assert admin.post("/admin/coupons/bulk", {"action": "archive", "ids": [a + 99]}
                      ).status_code == 404
    nothing = admin.post("/admin/coupons/bulk", {"action": "archive"})
    assert nothing.status_code == 302
    assert "Tick the coupons" in admin.get("/admin/coupons").text
    assert states(app) == {a: (True, False)}
    assert admin.post("/admin/coupons/bulk", {"action": "archive", "ids": [a],
                                              "next": "https://evil.example/"}
                      ).location.endswith("/admin/coupons")
