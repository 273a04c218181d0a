"""The coupon form and pages a site owner enjoys (issue 12, item 4): native date and time
pickers in the site's time zone, every error at once (the taken code among them), one
Generate control, the one-line summary, owner words and empty states."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.admin_support import AdminClient, admin
from tests.conftest import make_app, make_coupon

__all__ = ["admin"]


def body(**changes: object) -> dict[str, object]:
    found: dict[str, object] = {"name": "Spring", "code": "SPRING20", "discount_type": "percent",
                                "discount_value": "20", "booking_types": ["one_time"],
                                "active": "y"}
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


def test_the_pickers_post_a_date_and_a_time_in_the_site_zone(sqlite_url: str,
                                                              tmp_path: object) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_TIMEZONE="America/New_York")  # type: ignore[arg-type]
    admin = AdminClient(app)
    page = admin.get("/admin/coupons/new").text
    assert 'type="date" id="starts_at" name="starts_at_date"' in page
    assert 'type="time" id="starts_at_time" name="starts_at_time"' in page
    assert 'aria-label="End time"' in page
    response = admin.post("/admin/coupons/new", body(
        starts_at_date="2027-03-14", starts_at_time="09:15", ends_at_date="2027-12-31",
        ends_at_time=""))
    assert response.status_code == 302, response.text
    zone = ZoneInfo("America/New_York")
    with app.app_context():
        coupon = get_state().session.execute(select(Coupon)).scalar_one()
        assert coupon.starts_at == datetime(2027, 3, 14, 9, 15, tzinfo=zone)
        assert coupon.ends_at == datetime(2027, 12, 31, 23, 59, 59, tzinfo=zone)
        coupon_id = coupon.id
    edit = admin.get(f"/admin/coupons/{coupon_id}/edit").text
    assert 'name="starts_at_date" value="2027-03-14"' in edit
    assert 'name="starts_at_time" value="09:15"' in edit
    alone = admin.post("/admin/coupons/new", body(code="ALONE", starts_at_time="10:00"))
    assert alone.status_code == 400 and "Pick the day too" in alone.text


def test_every_error_at_once_with_the_taken_code(admin: AdminClient, app: Flask) -> None:
    make_coupon(app, code="TAKEN")
    response = admin.post("/admin/coupons/new", body(code="taken", discount_value="150",
                                                     max_uses="0", booking_types=None))
    assert response.status_code == 400
    html = response.text
    for field, message in (("code", "TAKEN is already in use"),
                           ("discount_value", "A percentage is at most 100."),
                           ("max_uses", "Enter a whole number of 1 or more"),
                           ("booking_types", "Pick one-time, recurring or both.")):
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), field
    summary = html[html.index('id="error-summary"'):html.index("</ul>")]
    assert "these 4 fields" in summary and 'href="#code"' in summary
    assert "Number must be" not in html and "Not a valid integer" not in html
    words = admin.post("/admin/coupons/new", body(code="W1", max_uses="ten"))
    assert "Enter a whole number, like 10." in words.text
    only = admin.post("/admin/coupons/new", body(code="TAKEN"))
    assert only.status_code == 409


def test_one_generate_control_works_without_script(admin: AdminClient, app: Flask) -> None:
    page = admin.get("/admin/coupons/new").text
    assert page.count("Generate") == 2  # the button, and the help that names it
    assert 'name="generate"' not in page  # no second control (a checkbox) any more
    filled = admin.post("/admin/coupons/new", body(code="", name="Typed name",
                                                   generate_now="1"))
    assert filled.status_code == 200
    code = re.search(r'id="code"[^>]*value="([A-Z0-9]{8})"|value="([A-Z0-9]{8})"[^>]*id="code"',
                     filled.text)
    assert code, "the generated code is in the field"
    assert 'value="Typed name"' in filled.text and "field-error" not in filled.text
    with app.app_context():
        assert get_state().session.execute(select(Coupon)).first() is None  # nothing saved


def test_the_summary_line_on_the_form_the_page_and_live(admin: AdminClient, app: Flask) -> None:
    coupon_id = make_coupon(app, code="DEEP20", discount_value=Decimal("20"),
                            services=frozenset({"deep"}),
                            days_of_week=frozenset({"mon", "tue", "wed", "thu", "fri"}),
                            hours=(), once_per_customer=True)
    page = admin.get(f"/admin/coupons/{coupon_id}").text
    assert re.search(r'id="coupon-summary">20 % off deep, Mon–Fri, once per customer<', page)
    year = datetime.now(UTC).year  # this year's end reads without its year
    live = admin.get("/admin/coupons/summary?discount_type=fixed&discount_value=5"
                     "&hours=09:00-12:00&days_of_week=sat&days_of_week=sun&ends_at_date="
                     f"{year}-12-31&booking_types=one_time&booking_types=recurring")
    assert live.status_code == 200
    assert live.json["summary"] == "$5.00 off, Sat and Sun mornings, until 31 Dec"
    junk = admin.get("/admin/coupons/summary?discount_value=abc&max_uses=x&hours=nonsense")
    assert junk.status_code == 200 and junk.json["summary"].startswith("A discount")
    form = admin.get(f"/admin/coupons/{coupon_id}/edit").text
    assert "20 % off deep, Mon–Fri, once per customer" in form


def test_owner_words_and_empty_states(app: Flask) -> None:
    login = app.test_client().get("/admin/login").text
    assert "create-admin" not in login and "advik-coupons" not in login
    admin = AdminClient(app)
    empty = admin.get("/admin/coupons").text
    assert "Create your first coupon" in empty and "No coupons match." not in empty
    assert "No coupons match." in admin.get("/admin/coupons?q=nothing").text
    deliveries = admin.get("/admin/deliveries").text
    assert 'id="no-webhook"' in deliveries and "No webhook or Slack channel" in deliveries
