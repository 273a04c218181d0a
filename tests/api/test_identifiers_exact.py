"""Identifiers compare byte for byte on every database (docs/contracts.md).

MariaDB's default collation ignores letter case and accents, so before
migration 0004 the booking references ``aB3x-9`` and ``AB3X-9`` were one
booking there (a ``201`` then ``200``s carrying the first), a token name
``CI`` revoked the tokens of ``ci``, and the accented look-alike ``ÉNPCQWQD``
of a code matched it. Codes are still matched after upper-casing.
"""

from __future__ import annotations

from flask import Flask

from advik_coupons.services.accounts import check_token, create_token, revoke_tokens
from tests.conftest import ApiClient, coupon_fields

REFS = ["aB3x-9", "Ab3X-9", "AB3X-9", "ab3x-9"]


def redeem(api: ApiClient, ref: str, **extra: object) -> tuple[int, dict[str, object]]:
    answer = api.post("/redemptions", json={"code": "exact10", "subtotal": "100.00",
                                            "booking_ref": ref, **extra})
    return answer.status_code, answer.json


def test_booking_refs_differing_in_case_are_four_bookings(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(code="EXACT10")).json
    results = [redeem(any_api, ref) for ref in REFS]
    assert [status for status, _ in results] == [201, 201, 201, 201]
    assert [body["booking_ref"] for _, body in results] == REFS
    assert len({body["id"] for _, body in results}) == 4
    assert any_api.get(f"/coupons/{coupon['id']}").json["used"] == 4
    assert redeem(any_api, "Ab3X-9")[0] == 200  # the same bytes again: the same booking


def test_ledger_bookings_differing_in_case_are_kept_apart(any_api: ApiClient) -> None:
    for ref in REFS:
        answer = any_api.post("/bookings", json={"booking_ref": ref, "subtotal": "10.00"})
        assert answer.status_code == 201, (ref, answer.json)


def test_series_refs_differing_in_case_are_two_series(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(code="EXACT10", max_uses=10)).json
    first, _ = redeem(any_api, "s1-0", series_ref="Series-a", occurrence=0,
                      booking_type="recurring")
    later, body = redeem(any_api, "s2-1", series_ref="SERIES-A", occurrence=1,
                         booking_type="recurring")
    assert (first, later) == (201, 201)
    # Not a later booking of "Series-a": treated as the first of its own series.
    assert body["discount"] == "10.00" and body["series_ref"] == "SERIES-A"
    assert any_api.get(f"/coupons/{coupon['id']}").json["used"] == 2


def test_a_look_alike_code_never_matches(any_api: ApiClient) -> None:
    coupon = any_api.post("/coupons", json=coupon_fields(code="ENPCQWQD")).json
    for look_alike in ("ÉNPCQWQD", "ENPCQWQĐ", "ЕNPCQWQD", "ÈNPCQWQD"):  # É, Đ, Cyrillic Е, È
        answer = any_api.post("/quote", json={"code": look_alike, "subtotal": "100.00"})
        assert answer.status_code == 422, (look_alike, answer.json)
        assert answer.json["reason"] == "not_found"
        answer = any_api.post("/redemptions", json={"code": look_alike, "subtotal": "100.00",
                                                    "booking_ref": "LOOK-" + look_alike})
        assert answer.status_code == 422, (look_alike, answer.json)
        assert answer.json["reason"] == "not_found"
    assert any_api.get(f"/coupons/{coupon['id']}").json["used"] == 0
    assert any_api.post("/quote", json={"code": "enpcqwqd", "subtotal": "100.00"}
                        ).status_code == 200


def test_token_names_differing_in_case_are_two_names(any_app: Flask) -> None:
    with any_app.app_context():
        lower = create_token("ci")
        upper = create_token("CI")
        assert revoke_tokens("CI") == 1
        assert check_token(lower) == "ci"
        assert check_token(upper) is None
