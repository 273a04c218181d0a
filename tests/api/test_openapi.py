"""``GET /api/v1/openapi.json``: a valid OpenAPI 3.1 document of exactly the app's routes,
made from the code's own field lists and the domain's catalog of reason codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from advik_coupons.api.openapi import openapi_path
from advik_coupons.api.openapi_paths import EXAMPLES
from advik_coupons.domain.coupon import FIELD_NAMES, READ_ONLY
from advik_coupons.domain.messages import CONFLICTS, REASONS
from advik_coupons.services.serialize import REDEMPTION_FIELDS
from advik_coupons.web.bodies import parse_booking
from tests.conftest import ApiClient, coupon_fields, make_app
from tests.openapi_check import ValidatingClient

README = Path(__file__).resolve().parents[2] / "README.md"
FACES = ("advik_api.", "advik_checkout.apply")


def _document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get(
        app.config["ADVIK_URL_PREFIX"].rstrip("/") + app.config["ADVIK_API_PREFIX"]
        + "/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def _operations_of(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item}


def _routes_of(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(FACES):
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                found.add((method, openapi_path(rule.rule)))
    return found


def test_the_document_needs_no_token_and_validates(app: Flask) -> None:
    doc = _document(app)
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http",
                                                                   "scheme": "bearer"}
    assert doc["paths"]["/coupons/apply"]["post"]["security"] == []
    assert doc["security"] == [{"bearerAuth": []}]


@pytest.mark.parametrize("prefixes", [{}, {"ADVIK_URL_PREFIX": "/shop",
                                           "ADVIK_API_PREFIX": "/api/v2"}])
def test_every_route_is_in_the_document_and_every_path_is_a_route(
        sqlite_url: str, tmp_path: Path, prefixes: dict[str, str]) -> None:
    app = make_app(sqlite_url, tmp_path, **prefixes)
    doc = _document(app)
    validate(doc)
    routes = _routes_of(app)
    assert len(routes) >= 18
    assert _operations_of(doc) == routes


def test_every_answer_and_parameter_is_described(app: Flask) -> None:
    doc = _document(app)
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert operation["operationId"] and operation["summary"], (method, path)
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (method, path)
            if operation.get("security") != []:
                assert "401" in codes, (method, path)
            if method in {"post", "patch"} and "requestBody" in operation:
                assert {"400", "413"} <= codes, (method, path)
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (method, path)
    apply = doc["paths"]["/coupons/apply"]["post"]
    assert set(apply["requestBody"]["content"]) == {"application/json",
                                                    "application/x-www-form-urlencoded"}
    assert {"200", "400", "413", "422", "429"} <= set(apply["responses"])
    assert "Retry-After" in apply["responses"]["429"]["headers"]


def test_reason_codes_are_the_domains_catalog(app: Flask) -> None:
    schemas = _document(app)["components"]["schemas"]
    assert schemas["Rejected"]["properties"]["reason"]["enum"] == list(REASONS)
    conflict = schemas["Contradiction"]["properties"]["reason"]["enum"]
    assert set(CONFLICTS) <= set(conflict)


def test_bodies_carry_every_field_of_the_code(app: Flask) -> None:
    schemas = _document(app)["components"]["schemas"]
    assert set(FIELD_NAMES) | set(READ_ONLY) <= set(schemas["Coupon"]["required"])
    assert set(FIELD_NAMES) <= set(schemas["CouponCreate"]["properties"])
    assert schemas["CouponCreate"]["additionalProperties"] is False
    assert schemas["Redemption"]["required"] == list(REDEMPTION_FIELDS)


class _Reads(dict[str, Any]):
    """A body that records every key the parser looks at."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def test_the_booking_body_is_what_the_parser_reads(app: Flask) -> None:
    schemas = _document(app)["components"]["schemas"]
    body = _Reads({"code": "X", "subtotal": "1.00"})
    with app.app_context():  # amounts are read in the site's currency
        parse_booking(body, need_ref=False)
    read = body.read | {"locale"}  # the language is read by web.i18n, not the parser
    assert read == set(schemas["Quote"]["properties"])
    form = set(schemas["QuoteForm"]["properties"])
    assert form == read - {"items", "other_codes"}


def test_the_examples_are_the_readmes_requests(app: Flask) -> None:
    sent = [json.loads(m) for m in re.findall(r"-d '(\{.*?\})'", README.read_text(),
                                               flags=re.S)]
    assert sent
    for name, example in EXAMPLES.items():
        assert example in sent, name
    examples = [media.get("example")
                for item in _document(app)["paths"].values() for op in item.values()
                for media in op.get("requestBody", {}).get("content", {}).values()]
    assert all(e is None or e in sent for e in examples) and any(examples)


def test_answers_are_validated_against_it(api: ApiClient) -> None:
    before = ValidatingClient.checked
    created = api.post("/coupons", json=coupon_fields())
    assert created.status_code == 201
    assert api.post("/quote", json={"code": "TEST10", "subtotal": "50"}).status_code == 200
    assert api.post("/quote", json={"code": "NOPE", "subtotal": "50"}).status_code == 422
    assert ValidatingClient.checked == before + 3


def test_a_wrong_answer_fails_the_check(app: Flask, api: ApiClient) -> None:
    api.post("/coupons", json=coupon_fields())
    app.view_functions["advik_api.quote"] = lambda: jsonify({"valid": True, "discount": 12})
    with pytest.raises(InvalidData):
        api.post("/quote", json={"code": "TEST10", "subtotal": "50"})
