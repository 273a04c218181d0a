"""The deliveries page: admins only; lists status, attempts and the last error; Retry
(with its CSRF token) sends a failed notice again."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from advik_coupons.events import delivery
from advik_coupons.state import get_state
from advik_coupons.store.models import OutboxMessage
from tests.admin_support import AdminClient, csrf_from
from tests.hook_receiver import Receiver, outbox, stage_event


def fail_for_good(app: Flask, receiver: Receiver) -> int:
    """One notice that got a 500 and was then given up."""
    stage_event(app)
    receiver.answer(500)
    delivery.drain(app)
    with app.app_context():
        session = get_state().session
        session.execute(update(OutboxMessage).values(status="failed"))
        session.commit()
    return outbox(app)[0].id


def test_anonymous_gets_nothing(hooked: Flask, receiver: Receiver) -> None:
    row_id = fail_for_good(hooked, receiver)
    client = hooked.test_client()
    page = client.get("/admin/deliveries")
    assert page.status_code in (302, 401)
    assert "evt_" not in page.text and "HTTP 500" not in page.text
    assert client.post(f"/admin/deliveries/{row_id}/retry").status_code in (302, 400, 401)
    assert outbox(hooked)[0].status == "failed"


def test_the_list_shows_status_attempts_and_error(hooked: Flask, receiver: Receiver) -> None:
    fail_for_good(hooked, receiver)
    stage_event(hooked, "coupon.released")
    delivery.drain(hooked)
    admin = AdminClient(hooked)
    page = admin.get("/admin/deliveries")
    assert page.status_code == 200
    html = page.text
    assert "Webhook deliveries" in html
    assert 'data-status="failed"' in html and 'data-status="delivered"' in html
    assert "HTTP 500" in html and "Redeemed" in html and "Released" in html
    assert html.count(">Retry</button>") == 1  # only the failed one
    only_failed = admin.get("/admin/deliveries?status=failed").text
    assert 'data-status="delivered"' not in only_failed
    assert admin.get("/admin/deliveries?status=<script>&page=x").status_code == 200


def test_retry_resets_a_failed_delivery_to_pending(hooked: Flask, receiver: Receiver) -> None:
    row_id = fail_for_good(hooked, receiver)
    admin = AdminClient(hooked)
    forged = admin.post(f"/admin/deliveries/{row_id}/retry", {"csrf_token": "forged"},
                        csrf=False)
    assert forged.status_code == 400
    assert outbox(hooked)[0].status == "failed"
    token_page = admin.get("/admin/deliveries").text
    answer = admin.post(f"/admin/deliveries/{row_id}/retry",
                        {"csrf_token": csrf_from(token_page)}, csrf=False)
    assert answer.status_code == 302
    [row] = outbox(hooked)
    assert (row.status, row.attempts) == ("pending", 0)
    delivery.drain(hooked)
    assert outbox(hooked)[0].status == "delivered"
    assert admin.post("/admin/deliveries/999999/retry").status_code == 404
