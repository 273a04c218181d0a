"""Undo and the everyday tools (DESIGN §12): cancel a redemption from the bookings list,
restore an archived coupon, duplicate one, preview a manual apply before it redeems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from advik_coupons import Booking, redeem
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon, CouponCode, Redemption
from advik_coupons.store.queries import primary_code
from advik_coupons.store.tracking import funnel
from tests.admin_support import AdminClient
from tests.conftest import ApiClient, make_coupon


def test_cancel_from_the_bookings_list_asks_then_gives_the_use_back(any_app: Flask) -> None:
    admin = AdminClient(any_app)
    coupon_id = make_coupon(any_app, code="UNDO10", max_uses=1)
    with any_app.app_context():
        made = redeem("UNDO10", Booking(subtotal=Decimal("50.00"), booking_ref="u-1"))
        rid = made.redemption.id
    listing = admin.get(f"/admin/coupons/{coupon_id}/bookings").text
    link = f"/admin/coupons/{coupon_id}/bookings/{rid}/cancel"
    assert link in listing
    confirm = admin.get(link)
    assert confirm.status_code == 200 and "gives its use of UNDO10 back" in confirm.text
    with any_app.app_context():  # the confirm step changed nothing
        assert get_state().session.get(Redemption, rid).status == "redeemed"  # type: ignore[union-attr]
    done = admin.post(link)
    assert done.status_code == 302
    with any_app.app_context():
        session = get_state().session
        assert session.get(Redemption, rid).status == "cancelled"  # type: ignore[union-attr]
        assert session.get(Coupon, coupon_id).used == 0  # type: ignore[union-attr]
        # the use came back: the limit of one lets another booking in
        redeem("UNDO10", Booking(subtotal=Decimal("50.00"), booking_ref="u-2"))
    again = admin.post(link)
    assert again.status_code == 302
    assert "already cancelled" in admin.get(again.location).text
    other = make_coupon(any_app, code="OTHER")
    assert admin.get(f"/admin/coupons/{other}/bookings/{rid}/cancel").status_code == 404


def test_restore_brings_an_archived_coupon_back_inactive(app: Flask) -> None:
    admin = AdminClient(app)
    coupon_id = make_coupon(app, code="BACK10")
    with app.app_context():
        redeem("BACK10", Booking(subtotal=Decimal("50.00"), booking_ref="b-1"))
    admin.post(f"/admin/coupons/{coupon_id}/delete")
    page = admin.get(f"/admin/coupons/{coupon_id}").text
    assert f"/admin/coupons/{coupon_id}/restore" in page
    assert admin.post(f"/admin/coupons/{coupon_id}/restore").status_code == 302
    with app.app_context():
        coupon = get_state().session.get(Coupon, coupon_id)
        assert coupon is not None and coupon.archived_at is None and coupon.active is False
    assert admin.post(f"/admin/coupons/{coupon_id}/restore").status_code == 409
    page = admin.get(f"/admin/coupons/{coupon_id}").text
    assert f"/admin/coupons/{coupon_id}/restore" not in page


def test_duplicate_makes_an_inactive_copy_with_a_new_code(app: Flask) -> None:
    admin = AdminClient(app)
    coupon_id = make_coupon(app, code="SAME20", discount_value=Decimal("20"),
                            min_subtotal=Decimal("40.00"), days_of_week=frozenset({"mon"}))
    response = admin.post(f"/admin/coupons/{coupon_id}/duplicate")
    assert response.status_code == 302 and response.location.endswith("/edit")
    with app.app_context():
        session = get_state().session
        coupons = session.execute(select(Coupon).order_by(Coupon.id)).scalars().all()
        assert len(coupons) == 2
        source, copy = coupons
        assert copy.active is False and copy.used == 0
        assert copy.name == "Test coupon (copy)"
        assert (copy.discount_value, copy.min_subtotal, copy.days_of_week) == (
            source.discount_value, source.min_subtotal, source.days_of_week)
        code = primary_code(session, copy.id)
        assert code and code != "SAME20"
        assert session.execute(select(CouponCode).where(CouponCode.coupon_id == copy.id)
                               ).scalars().one().is_primary
    history = ApiClient(app).get(f"/coupons/{copy.id}/history").json["items"]
    assert history[0]["action"] == "duplicated"
    assert history[0]["changes"]["copy_of"] == [None, "SAME20"]


def test_manual_apply_previews_before_it_redeems(app: Flask) -> None:
    admin = AdminClient(app)
    coupon_id = make_coupon(app, code="LOOK10")
    body = {"booking_ref": "look-1", "subtotal": "120.00", "booking_type": "one_time"}
    preview = admin.post(f"/admin/coupons/{coupon_id}/apply", body)
    assert preview.status_code == 200
    assert "LOOK10 applies:" in preview.text and "$12.00 off $120.00" in preview.text
    assert 'name="confirm" value="1"' in preview.text
    with app.app_context():
        state = get_state()
        assert state.session.execute(select(Redemption)).first() is None
        state.funnel.flush()
        today = datetime.now(UTC).date()
        counts = funnel(state.session, coupon_id, today - timedelta(days=1),
                        today + timedelta(days=1))
    assert counts == {}  # an admin's preview is no customer's try
    done = admin.post(f"/admin/coupons/{coupon_id}/apply", {**body, "confirm": "1"})
    assert done.status_code == 302
    with app.app_context():
        row = get_state().session.execute(select(Redemption)).scalar_one()
        assert (row.discount, row.source) == (Decimal("12.00"), "manual")
    rejected = admin.post(f"/admin/coupons/{coupon_id}/apply",
                          {**body, "booking_ref": "look-2", "subtotal": "abc"})
    assert rejected.status_code == 400
