"""Outbox rows are written with the change they report (an apply: right after)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from advik_coupons import events
from advik_coupons.domain.rules import Booking
from advik_coupons.services import redeeming
from advik_coupons.state import get_state
from advik_coupons.store.models import OutboxMessage, Redemption
from tests.conftest import ApiClient, make_app, make_coupon
from tests.hook_receiver import Receiver, webhook_config

BODY = {"code": "TEST10", "subtotal": "120.00", "email": "Ann@Example.com",
        "booking_date": "2026-12-07"}


def rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        session = get_state().session
        found = list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        session.expunge_all()
        return found


def bodies(app: Flask) -> list[dict[str, Any]]:
    return [json.loads(r.payload) for r in rows(app)]


def test_no_channel_no_rows(app: Flask) -> None:
    make_coupon(app)
    api = ApiClient(app)
    assert api.post("/quote", json=BODY).status_code == 200
    assert api.post("/redemptions", json={**BODY, "booking_ref": "B1"}).status_code == 201
    assert rows(app) == []


def test_redeem_limit_and_cancel_stage_one_shape(
        sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, **webhook_config(receiver))
    coupon_id = make_coupon(app, max_uses=1)
    api = ApiClient(app)
    redeemed = api.post("/redemptions", json={**BODY, "booking_ref": "B1"})
    assert redeemed.status_code == 201
    rejected = api.post("/redemptions", json={**BODY, "booking_ref": "B2"})
    assert rejected.status_code == 422  # nothing staged for a refused redemption
    assert api.post(f"/redemptions/{redeemed.get_json()['id']}/cancel").status_code == 200
    found = bodies(app)
    assert [b["type"] for b in found] == ["coupon.redeemed", "coupon.limit_reached",
                                         "coupon.released"]
    first = found[0]
    assert set(first) == {"id", "type", "created_at", "data", "request_id"}
    assert first["request_id"] == redeemed.headers["X-Request-ID"]
    assert first["id"].startswith("evt_") and first["created_at"].endswith("Z")
    data = first["data"]
    assert data["coupon"] == {"id": coupon_id, "code": "TEST10", "discount_type": "percent",
                              "discount_value": "10.00", "max_uses": 1, "used": 1}
    assert data["booking"]["booking_ref"] == "B1"
    assert data["booking"]["email"] == "Ann@Example.com"  # as the customer gave it
    assert data["booking"]["booking_date"] == "2026-12-07"
    assert data["amounts"] == {"subtotal": "120.00", "discount": "12.00", "tax": "0.00",
                               "total": "108.00", "currency": "USD"}
    assert found[2]["data"]["booking"]["status"] == "cancelled"
    assert len({b["id"] for b in found}) == 3
    assert all(r.status == "pending" and r.channel == "webhook" for r in rows(app))


def test_apply_is_staged_only_for_a_subscribed_channel(
        sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, **webhook_config(receiver,
                                                           ADVIK_WEBHOOK_EVENTS="applied"))
    make_coupon(app)
    api = ApiClient(app)
    assert api.post("/quote", json=BODY).status_code == 200
    assert api.post("/quote", json={**BODY, "code": "NOPE"}).status_code == 422
    found = bodies(app)
    assert [b["type"] for b in found] == ["coupon.applied"]
    assert found[0]["data"]["amounts"]["discount"] == "12.00"
    assert found[0]["data"]["booking"]["booking_type"] == "one_time"

    quiet = make_app(sqlite_url, tmp_path / "quiet",
                     **webhook_config(receiver, ADVIK_WEBHOOK_EVENTS="redeemed"))
    assert ApiClient(quiet).post("/quote", json=BODY).status_code == 200
    assert len(rows(quiet)) == 1  # still only the first app's row


def test_notice_and_redemption_commit_together(
        sqlite_url: str, tmp_path: Path, receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sqlite_url, tmp_path, **webhook_config(receiver))
    make_coupon(app)

    def stage_then_fail(*args: Any, **kwargs: Any) -> None:
        events.stage(*args, **kwargs)
        raise RuntimeError("the transaction fails after the notice was added")

    monkeypatch.setattr(redeeming, "stage", stage_then_fail)
    with app.app_context(), pytest.raises(RuntimeError):
        redeeming.redeem("TEST10", Booking(Decimal("120"), booking_ref="B9"))
    assert rows(app) == []
    with app.app_context():
        assert get_state().session.execute(select(Redemption)).first() is None
