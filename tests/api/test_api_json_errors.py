"""Every 404, 405 and 413 under the API prefix and on ``/coupons/apply`` is JSON.

An integrator's client parses every answer it gets; an HTML error page from a
mistyped path, a wrong method or an over-large body is one it cannot read.
Outside those paths the host's own pages (and its own error handlers) stay.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from advik_coupons import AdvikCoupons
from tests.conftest import BASE_CONFIG, ApiClient, coupon_fields

BIG = "x" * (70 * 1024)


def _json_error(response: object, status: int, error: str) -> dict[str, object]:
    assert response.status_code == status, response.data[:200]  # type: ignore[attr-defined]
    assert response.mimetype == "application/json", response.data[:200]  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["error"] == error and isinstance(body["message"], str) and body["message"]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/nowhere", "/coupons/abc", "/coupons/1/nothing", "",
                                  "/redemptions/x/cancel", "/openapi.yaml"])
def test_unknown_api_paths_are_json_404(api: ApiClient, path: str) -> None:
    _json_error(api.get(path), 404, "not_found")


def test_unknown_api_paths_are_json_404_without_a_token(app: Flask) -> None:
    _json_error(app.test_client().get("/api/v1/nowhere"), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("put", "/coupons", {"GET", "POST"}),
    ("delete", "/coupons", {"GET", "POST"}),
    ("get", "/quote", {"POST"}),
    ("put", "/coupons/1", {"GET", "PATCH", "DELETE"}),
    ("get", "/redemptions/1/cancel", {"POST"}),
])
def test_wrong_api_methods_are_json_405_with_allow(api: ApiClient, method: str, path: str,
                                                   allowed: set[str]) -> None:
    response = getattr(api, method)(path)
    _json_error(response, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_apply_wrong_method_is_json_405(app: Flask) -> None:
    response = app.test_client().get("/coupons/apply")
    _json_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_over_large_api_body_is_json_413(api: ApiClient) -> None:
    _json_error(api.post("/coupons", json=coupon_fields(description=BIG)), 413,
                "request_entity_too_large")
    _json_error(api.post("/quote", json={"code": "X", "subtotal": "1", "pad": BIG}), 413,
                "request_entity_too_large")


def test_over_large_apply_body_is_json_413(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/coupons/apply", json={"code": "X", "subtotal": "1", "pad": BIG})
    _json_error(response, 413, "request_entity_too_large")
    form = client.post("/coupons/apply", data={"code": "X", "subtotal": "1", "pad": BIG})
    _json_error(form, 413, "request_entity_too_large")


def test_host_max_content_length_is_json_413_on_the_api(sqlite_url: str,
                                                         tmp_path: Path) -> None:
    from tests.conftest import make_app

    small = make_app(sqlite_url, tmp_path, MAX_CONTENT_LENGTH=1024)
    client = ApiClient(small)
    _json_error(client.post("/quote", json={"code": "X", "subtotal": "1", "pad": "y" * 4096}),
                413, "request_entity_too_large")
    apply = small.test_client().post("/coupons/apply", data={"code": "X", "pad": "y" * 4096})
    _json_error(apply, 413, "request_entity_too_large")


def test_pages_outside_stay_the_hosts(tmp_path: Path, sqlite_url: str) -> None:
    host = Flask("host", instance_path=str(tmp_path / "instance"))
    host.config.update({**BASE_CONFIG, "ADVIK_DATABASE_URL": sqlite_url})

    @host.errorhandler(404)
    def _own_404(_error: object) -> tuple[str, int]:
        return "<p>the host's own page</p>", 404

    AdvikCoupons(host)
    client = host.test_client()
    outside = client.get("/no-such-page")
    assert outside.status_code == 404 and b"the host's own page" in outside.data
    inside = client.get("/api/v1/no-such-thing")
    _json_error(inside, 404, "not_found")
    assert b"host's own page" not in inside.data
    admin = client.get("/admin/coupons/no-such-page")
    assert admin.status_code == 404 and admin.mimetype == "text/html"


def test_null_items_without_a_subtotal_is_400_not_500(api: ApiClient) -> None:
    """Found by schemathesis: ``"items": null`` and no subtotal failed an assertion."""
    api.post("/coupons", json=coupon_fields())
    made = api.post("/redemptions", json={"code": "TEST10", "subtotal": "50",
                                          "booking_ref": "b-1"}).json
    for path, body in [("/quote", {"code": "TEST10", "items": None}),
                       (f"/redemptions/{made['id']}", {"items": None})]:
        response = api.patch(path, json=body) if path.startswith("/red") else api.post(
            path, json=body)
        assert response.status_code == 400 and "subtotal" in response.json["errors"], path


def test_ids_past_the_largest_are_json_404(api: ApiClient) -> None:
    """Found by schemathesis: a 25-digit id overflowed the database driver (500)."""
    for method, path in [("get", "/coupons/1706295982680853316632576"),
                         ("delete", "/coupons/2147483648"),
                         ("post", "/coupons/99999999999999999999/deactivate"),
                         ("post", "/redemptions/99999999999999999999/cancel")]:
        _json_error(getattr(api, method)(path), 404, "not_found")
