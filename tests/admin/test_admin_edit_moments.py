"""Saving the edit form unchanged keeps ``ends_at`` (issue 18, row 12): inside the hour a
DST change repeats, and with seconds, the page's own fields post back the same moment."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from advik_coupons.state import get_state
from advik_coupons.store.models import Coupon
from tests.admin_support import AdminClient
from tests.conftest import make_app, make_coupon


def moment_inputs(page: str, name: str) -> dict[str, str]:
    """What the browser would post for the field ``name``: its inputs' names and values."""
    found: dict[str, str] = {}
    for tag in re.findall(rf'<input[^>]*name="{name}(?:_date|_time)?"[^>]*>', page):
        field = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        assert field is not None
        found[field.group(1)] = html.unescape(value.group(1) if value else "")
    return found


@pytest.mark.parametrize("ends_at", [
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),   # 01:30 EDT, the first 01:30
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),   # 01:30 EST, the repeated one
    datetime(2026, 11, 1, 6, 45, 30, tzinfo=UTC),  # the repeated hour, with seconds
    datetime(2026, 12, 9, 18, 30, 15, tzinfo=UTC),  # seconds on an ordinary day
])
def test_saving_unchanged_keeps_ends_at(sqlite_url: str, tmp_path: Path,
                                        ends_at: datetime) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_TIMEZONE="America/New_York")
    coupon_id = make_coupon(app, code="DST1", ends_at=ends_at,
                            starts_at=datetime(2026, 10, 1, 4, 0, tzinfo=UTC))
    admin = AdminClient(app)
    page = admin.get(f"/admin/coupons/{coupon_id}/edit").text
    posted = {"name": "Test coupon", "code": "DST1", "discount_type": "percent",
              "discount_value": "10", "booking_types": ["one_time", "recurring"],
              "recurring_scope": "first", "audience": "all", "active": "y",
              "min_subtotal": "0", "max_subtotal": "0", "max_uses": ""}
    posted.update(moment_inputs(page, "starts_at"))
    posted.update(moment_inputs(page, "ends_at"))
    saved = admin.post(f"/admin/coupons/{coupon_id}/edit", posted)
    assert saved.status_code == 302, saved.text
    with app.app_context():
        coupon = get_state().session.execute(select(Coupon)).scalar_one()
        assert coupon.ends_at == ends_at
        assert coupon.starts_at == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
