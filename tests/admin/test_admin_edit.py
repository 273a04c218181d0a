"""Create and edit a coupon through the admin form (the API's CouponForm)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from advik_coupons.domain.codes import CODE_ALPHABET
from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from advik_coupons.store.queries import primary_code
from tests.admin_support import AdminClient, admin
from tests.conftest import make_coupon

__all__ = ["admin"]


def form_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Autumn", "description": "", "code": "autumn15",
                            "discount_type": "percent", "discount_value": "15",
                            "audience": "all", "starts_at": "", "ends_at": "",
                            "max_uses": "", "min_subtotal": "0", "max_subtotal": "0",
                            "booking_types": ["one_time", "recurring"],
                            "recurring_scope": "first", "active": "y"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_the_targeting_fields_go_through_the_form(admin: AdminClient, app: Flask) -> None:
    response = admin.post("/admin/coupons/new", form_body(
        services="deep, windows", exclude_services="oven", staff="maria", locations="north",
        hours="14:00-17:00, 09:00-12:00", max_discount="30", uses_per_customer="2",
        allowed_emails="ann@example.com\n@example.org", audience="lapsed", audience_days="60",
        recurring_scope="first_n", recurring_occurrences="4", combinable="y"))
    assert response.status_code == 302, response.text
    coupon, _code = stored(app, int(response.location.rsplit("/", 1)[1]))
    assert coupon.services == {"deep", "windows"} and coupon.exclude_services == {"oven"}
    assert [w.as_json() for w in coupon.hours] == [{"from": "09:00", "to": "12:00"},
                                                   {"from": "14:00", "to": "17:00"}]
    assert (coupon.max_discount, coupon.uses_per_customer, coupon.audience_days,
            coupon.recurring_occurrences, coupon.combinable) == (Decimal("30"), 2, 60, 4, True)
    assert coupon.allowed_emails == ("ann@example.com", "@example.org")
    page = admin.get(response.location).text
    for text in ("deep, windows", "never oven", "09:00–12:00 and 14:00–17:00",
                 "2 uses per customer", "No booking in the last 60 days",
                 "The first 4 bookings of a series", "Can be combined"):
        assert text in page, text
    edit = admin.get(response.location + "/edit").text
    assert 'value="deep, windows"' in edit and "09:00-12:00, 14:00-17:00" in edit


def test_the_targeting_fields_name_their_errors(admin: AdminClient) -> None:
    response = admin.post("/admin/coupons/new", form_body(
        services="deep, bad id!", hours="12:00-09:00", allowed_emails="nope",
        max_discount="0", audience="loyal"))
    assert response.status_code == 400
    for text in ("is not an id",
                 "the start must be before the end", "is not an e-mail address",
                 "Must be more than 0", "how many bookings make a regular customer"):
        assert text in response.text, text


def stored(app: Flask, coupon_id: int) -> tuple[Coupon, str | None]:
    with app.app_context():
        session = get_state().session
        coupon = session.get(Coupon, coupon_id)
        assert coupon is not None
        session.expunge(coupon)
        return coupon, primary_code(session, coupon_id)


def test_create_through_the_form(admin: AdminClient, app: Flask) -> None:
    page = admin.get("/admin/coupons/new")
    for label in ("Basic information", "Discount and audience", "What it applies to",
                  "Dates, days and hours",
                  "Usage limits", "Minimum and maximum amount", "Booking types",
                  "Generate code"):
        assert label in page.text
    response = admin.post("/admin/coupons/new", form_body(
        days_of_week=["mon", "fri"], max_uses="50", once_per_customer="y",
        min_subtotal="100", max_subtotal="500", ends_at="2030-12-31", audience="new",
        booking_types=["recurring"], recurring_scope="all"))
    assert response.status_code == 302
    coupon_id = int(response.location.rsplit("/", 1)[1])
    assert "Coupon AUTUMN15 created." in admin.get(response.location).text
    coupon, code = stored(app, coupon_id)
    assert code == "AUTUMN15"
    assert (coupon.days_of_week, coupon.max_uses, coupon.once_per_customer) == (
        {"mon", "fri"}, 50, True)
    assert (coupon.min_subtotal, coupon.max_subtotal) == (Decimal("100"), Decimal("500"))
    assert (coupon.audience, coupon.booking_types, coupon.recurring_scope) == (
        "new", {"recurring"}, "all")
    assert coupon.ends_at is not None and coupon.ends_at.astimezone(ZoneInfo("UTC")).strftime(
        "%Y-%m-%d %H:%M:%S") == "2030-12-31 23:59:59"


def test_each_bad_field_gets_its_own_message(admin: AdminClient) -> None:
    response = admin.post("/admin/coupons/new", form_body(
        name="", code="bad code!", discount_value="150", max_uses="0", min_subtotal="50",
        max_subtotal="20", booking_types=[], ends_at="31/12/2030"))
    assert response.status_code == 400
    html = response.text
    for field, message in (("name", "Enter a name."),
                           ("code", "Use only letters, digits, - and _"),
                           ("discount_value", "A percentage is at most 100."),
                           ("max_uses", "Enter a whole number of 1 or more"),
                           ("max_subtotal", "Must be at least the minimum amount."),
                           ("booking_types", "Pick one-time, recurring or both."),
                           ("ends_at", "Use a date like 2026-12-31")):
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), field
    assert 'value="bad code!"' in html  # what was typed stays in the form


def test_a_duplicate_code_is_caught_in_any_letter_case(admin: AdminClient, app: Flask) -> None:
    make_coupon(app, code="TAKEN")
    response = admin.post("/admin/coupons/new", form_body(code="taken"))
    assert response.status_code == 409
    assert "TAKEN is already in use" in response.text


def test_generate_code_button_and_checkbox(admin: AdminClient, app: Flask) -> None:
    generated = admin.get("/admin/coupons/generate-code").json["code"]
    assert len(generated) == 8 and set(generated) <= set(CODE_ALPHABET)
    response = admin.post("/admin/coupons/new", form_body(code="", generate="y"))
    assert response.status_code == 302
    _coupon, code = stored(app, int(response.location.rsplit("/", 1)[1]))
    assert code is not None and len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    missing = admin.post("/admin/coupons/new", form_body(code=""))
    assert missing.status_code == 400 and "Enter a code, or generate one." in missing.text


def test_edit_shows_the_stored_values_and_saves_changes(admin: AdminClient, app: Flask) -> None:
    created = admin.post("/admin/coupons/new", form_body(
        starts_at="2026-01-05T09:30", ends_at="2030-06-30", days_of_week=["sat"]))
    coupon_id = int(created.location.rsplit("/", 1)[1])
    page = admin.get(f"/admin/coupons/{coupon_id}/edit").text
    assert 'name="starts_at_date" value="2026-01-05"' in page
    assert 'name="starts_at_time" value="09:30"' in page
    assert 'name="ends_at_date" value="2030-06-30"' in page
    assert re.search(r'checked[^>]*value="sat"|value="sat"[^>]*checked', page)
    # Saving the form untouched changes nothing.
    before, _ = stored(app, coupon_id)
    same = admin.post(f"/admin/coupons/{coupon_id}/edit", form_body(
        starts_at="2026-01-05T09:30", ends_at="2030-06-30", days_of_week=["sat"]))
    assert same.status_code == 302
    after, _ = stored(app, coupon_id)
    assert (after.starts_at, after.ends_at) == (before.starts_at, before.ends_at)
    changed = admin.post(f"/admin/coupons/{coupon_id}/edit", form_body(
        name="Autumn, longer", code="autumn20", discount_value="20", active=None))
    assert changed.status_code == 302
    assert "Coupon AUTUMN20 saved." in admin.get(changed.location).text
    coupon, code = stored(app, coupon_id)
    assert (coupon.name, code, coupon.discount_value, coupon.active) == (
        "Autumn, longer", "AUTUMN20", Decimal("20"), False)


def test_edit_to_a_taken_code_is_refused(admin: AdminClient, app: Flask) -> None:
    make_coupon(app, code="FIRST")
    second = make_coupon(app, code="SECOND")
    response = admin.post(f"/admin/coupons/{second}/edit", form_body(code="First"))
    assert response.status_code == 409 and "FIRST is already in use" in response.text
    _coupon, code = stored(app, second)
    assert code == "SECOND"
    assert admin.get("/admin/coupons/424242/edit").status_code == 404


def test_the_api_still_validates_with_the_same_form(app: Flask) -> None:
    from tests.conftest import ApiClient

    api = ApiClient(app)
    bad = api.post("/coupons", json={"name": "x", "code": "ok", "discount_type": "percent",
                                     "discount_value": "101"})
    assert bad.status_code == 400
    assert bad.json["errors"]["discount_value"] == "A percentage is at most 100."
