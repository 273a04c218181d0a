"""Fuzzed bodies never make a 5xx (issue 18 item 9, for the bodies below).

Hypothesis writes JSON bodies for the API's coupon create and quote, the
public apply endpoint and the admin coupon form: the listed fields with any
JSON value, text from every Unicode plane (U+10FFFF included), dates at the
calendar's edges and amounts written every way. Each answer must be below 500.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advik_coupons.domain.coupon import FIELDS
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
from tests.admin.test_admin_edit import form_body
from tests.admin_support import AdminClient, csrf_from
from tests.conftest import ApiClient, make_app, make_coupon

EDGE_TEXT = ["9999-12-31", "0001-01-01", "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00",
             "2026-02-30", "1_000", "١٠٠", "-0", "1e400", "NaN", "-Infinity", "\U0010ffff",
             "A\U0010ffff", "", " ", "0" * 300, "9" * 30, "-", "-X-", "%", "_", "\\"]
texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=60),
                  st.text(alphabet=st.characters(min_codepoint=0x10000), max_size=8))
leaves = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                   st.floats(allow_nan=False, allow_infinity=False), texts)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=8)
COUPON_KEYS = [spec.name for spec in FIELDS]
BOOKING_KEYS = ["code", "subtotal", "email", "booking_date", "booking_time", "booking_type",
                "booking_ref", "series_ref", "occurrence", "items", "other_codes"]
FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def bodies(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    app = make_app(f"sqlite:///{folder}/fuzz.sqlite", folder, ADVIK_APPLY_RATE_LIMIT="")
    with app.app_context():
        upgrade(get_state().engine)
    make_coupon(app, code="FUZZ10")
    return app


@pytest.fixture(scope="module")
def fuzz_api(fuzz_app: Flask) -> ApiClient:
    return ApiClient(fuzz_app)


@pytest.fixture(scope="module")
def fuzz_admin(fuzz_app: Flask) -> AdminClient:
    return AdminClient(fuzz_app)


@FUZZ
@given(body=bodies(COUPON_KEYS))
def test_api_coupon_bodies(fuzz_api: ApiClient, body: dict[str, Any]) -> None:
    response = fuzz_api.post("/coupons", json=body)
    assert response.status_code < 500, (body, response.text[:300])


@FUZZ
@given(body=bodies(BOOKING_KEYS))
def test_quote_and_redeem_bodies(fuzz_api: ApiClient, body: dict[str, Any]) -> None:
    for path in ("/quote", "/redemptions"):
        response = fuzz_api.post(path, json={"code": "FUZZ10", **body})
        assert response.status_code < 500, (path, body, response.text[:300])


@FUZZ
@given(body=bodies(BOOKING_KEYS))
def test_public_apply_bodies(fuzz_app: Flask, body: dict[str, Any]) -> None:
    client: FlaskClient = fuzz_app.test_client()
    response = client.post("/coupons/apply", json=body)
    assert response.status_code < 500, (body, response.text[:300])


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(COUPON_KEYS), texts, max_size=6),
       query=texts)
def test_admin_form_and_search(fuzz_admin: AdminClient, changes: dict[str, str],
                               query: str) -> None:
    token = csrf_from(fuzz_admin.get("/admin/coupons/new").text)
    body = {**form_body(), **changes, "csrf_token": token}
    response = fuzz_admin.client.post("/admin/coupons/new", data=body)
    assert response.status_code < 500, (changes, response.text[:300])
    listing = fuzz_admin.get("/admin/coupons", query_string={"q": query})
    assert listing.status_code < 500, query
