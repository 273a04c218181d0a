"""CSV export and import of coupons (DESIGN §12): the export reads back in; a file with
one bad row is reported by line and writes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from advik_coupons.store.queries import code_exists
from tests.admin_support import AdminClient
from tests.conftest import ApiClient, make_coupon


def upload(admin: AdminClient, text: str) -> object:
    return admin.post("/admin/coupons/import",
                      {"file": (io.BytesIO(text.encode("utf-8")), "coupons.csv")},
                      content_type="multipart/form-data")


def coupon_count(app: Flask) -> int:
    with app.app_context():
        return int(get_state().session.execute(select(func.count(Coupon.id))).scalar_one())


def test_export_then_import_round_trips(app: Flask) -> None:
    admin = AdminClient(app)
    make_coupon(app, code="ROUND20", name="Round trip", discount_value=Decimal("20"),
                days_of_week=frozenset({"mon", "fri"}), min_subtotal=Decimal("40.00"),
                once_per_customer=True, services=frozenset({"deep"}),
                allowed_emails=("a@example.com", "@firm.example"))
    exported = admin.get("/admin/coupons.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["code"] == "ROUND20" and rows[0]["days_of_week"] == "mon fri"
    assert rows[0]["once_per_customer"] == "true"
    # the same file with a new code imports a coupon with the same terms
    text = exported.text.replace("ROUND20", "ROUND21")
    response = upload(admin, text)
    assert response.status_code == 302, response.text
    with app.app_context():
        session = get_state().session
        copy = session.execute(select(Coupon).order_by(Coupon.id.desc())).scalars().first()
        assert copy is not None and code_exists(session, "ROUND21")
        assert copy.days_of_week == frozenset({"mon", "fri"})
        assert copy.min_subtotal == Decimal("40.00") and copy.once_per_customer is True
        assert copy.allowed_emails == ("a@example.com", "@firm.example")
    history = ApiClient(app).get(f"/coupons/{copy.id}/history").json["items"]
    assert history[0]["action"] == "imported" and history[0]["changes"]["line"] == [None, 2]


def test_a_file_with_bad_rows_is_reported_by_line_and_writes_nothing(app: Flask) -> None:
    admin = AdminClient(app)
    make_coupon(app, code="TAKEN")
    text = ("code,name,discount_type,discount_value,ends_at,active\n"
            "GOOD1,Good one,percent,10,2026-12-31,true\n"
            "TAKEN,Taken code,percent,10,,true\n"
            "GOOD1,Twice in the file,fixed,5,,yes\n"
            ",No value,percent,,,maybe\n"
            "BIG,Too much,percent,150,someday,true\n")
    response = upload(admin, text)
    assert response.status_code == 400
    page = response.text
    assert "Nothing was imported." in page
    for expected in ("Line 3, code: TAKEN is already in use.",
                     "Line 4, code: GOOD1 is also on line 2.",
                     "Line 5, discount_value: Enter the discount.",
                     "Line 5, active: Write true or false.",
                     "Line 6, discount_value: A percentage is at most 100.",
                     "Line 6, ends_at:"):
        assert expected in page, expected
    assert "Line 2" not in page
    assert coupon_count(app) == 1
    # fixed, it imports all at once; an empty code gets a generated one
    fixed = ("code,name,discount_type,discount_value\n"
             "GOOD1,Good one,percent,10\n,Generated,fixed,5\n")
    assert upload(admin, fixed).status_code == 302
    assert coupon_count(app) == 3


def test_the_file_itself_is_checked(app: Flask) -> None:
    admin = AdminClient(app)
    assert "Unknown column &#39;colour&#39;" in upload(admin, "name,colour\nA,red\n").text
    assert "Choose a CSV file." in admin.post("/admin/coupons/import", {}).text
    bad = admin.post("/admin/coupons/import",
                     {"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                     content_type="multipart/form-data")
    assert bad.status_code == 400 and "UTF-8" in bad.text
    assert "no coupons" in upload(admin, "name,discount_value\n").text
    assert coupon_count(app) == 0
    assert "Create your first coupon" in admin.get("/admin/coupons").text
