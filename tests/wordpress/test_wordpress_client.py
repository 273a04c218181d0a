"""``advik_coupons_quote()``, ``_redeem()`` and ``_cancel()`` inside WordPress, against the
real service: arrays back, ``WP_Error`` with the reason, and a clear ``WP_Error`` (never a
fatal error) when the service is down, hangs or fails; wp-config.php constants win."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.wordpress.conftest import Bridge
from tests.wordpress.site import free_port

pytestmark = pytest.mark.mysql


@pytest.fixture
def constants(bridge: Bridge) -> Iterator[Any]:
    """Set wp-config.php constants for one test; removed afterwards."""
    yield bridge.wp.set_constants
    bridge.wp.set_constants({})


def error(answer: dict[str, Any]) -> dict[str, Any]:
    assert "error" in answer, answer
    found: dict[str, Any] = answer["error"]
    return found


def test_quote_answers_the_price_summary(bridge: Bridge) -> None:
    answer = bridge.wp.call("advik_coupons_quote", "spring10",
                            {"subtotal": "120.00", "email": "ann@example.com"})
    assert answer["value"] == {"valid": True, "code": "SPRING10", "message": "Coupon applied",
                               "locale": "en",
                               "discount": "12.00", "subtotal": "120.00", "tax": "8.91",
                               "total": "116.91", "currency": "USD"}


def test_a_refusal_is_a_wp_error_with_the_reason_and_message(bridge: Bridge) -> None:
    below = error(bridge.wp.call("advik_coupons_quote", "SPRING10", {"subtotal": "50.00"}))
    assert below["code"] == "below_minimum"
    assert below["message"] == "Spend at least $100.00 to use this coupon."
    assert below["data"]["status"] == 422
    assert error(bridge.wp.call("advik_coupons_quote", "GONE2025",
                                {"subtotal": "50.00"}))["code"] == "expired"
    bad = error(bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "ten"}))
    assert bad["code"] == "invalid_request" and "subtotal" in bad["message"]


def test_redeem_then_cancel(bridge: Bridge) -> None:
    ref = "WP-CLIENT-" + uuid.uuid4().hex[:8]
    booking = {"subtotal": "60.00", "email": "dee@example.com", "booking_ref": ref}
    done = bridge.wp.call("advik_coupons_redeem", "FLAT5", booking)["value"]
    assert (done["booking_ref"], done["subtotal"], done["discount"], done["status"]) == (
        ref, "60.00", "5.00", "redeemed")
    again = bridge.wp.call("advik_coupons_redeem", "FLAT5", booking)["value"]
    assert again["id"] == done["id"]  # one booking, one redemption
    cancelled = bridge.wp.call("advik_coupons_cancel", done["id"])["value"]
    assert cancelled["id"] == done["id"] and cancelled["status"] == "cancelled"
    assert error(bridge.wp.call("advik_coupons_cancel", "1 OR 1=1"))["code"] == "invalid_request"
    assert error(bridge.wp.call("advik_coupons_cancel", 987654321))["data"]["status"] == 404
    no_ref = error(bridge.wp.call("advik_coupons_redeem", "FLAT5", {"subtotal": "60.00"}))
    assert no_ref["code"] == "invalid_request" and "booking_ref" in no_ref["message"]


def test_the_service_down_is_a_clear_wp_error(bridge: Bridge, constants: Any) -> None:
    constants({"ADVIK_COUPONS_URL": f"http://127.0.0.1:{free_port()}"})  # nothing listens
    down = bridge.wp.call("advik_coupons_redeem", "FLAT5",
                          {"subtotal": "60.00", "booking_ref": "WP-DOWN"})
    assert error(down)["code"] == "advik_coupons_unreachable"
    assert "could not be reached" in error(down)["message"]
    assert down["seconds"] < 5


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_a_hanging_service_times_out(bridge: Bridge, constants: Any) -> None:
    with silent_server() as port:
        constants({"ADVIK_COUPONS_URL": f"http://127.0.0.1:{port}"})
        hung = bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "10.00"}, timeout=1)
    assert error(hung)["code"] == "advik_coupons_unreachable"
    assert 0.9 < hung["seconds"] < 4


class Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = json.dumps({"error": "database_unavailable"}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_failing_service_is_unavailable(bridge: Bridge, constants: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        constants({"ADVIK_COUPONS_URL": f"http://127.0.0.1:{server.server_port}"})
        failed = error(bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "10.00"}))
    finally:
        server.shutdown()
        server.server_close()
    assert failed["code"] == "advik_coupons_unavailable" and "503" in failed["message"]


def test_a_constant_wins_over_the_saved_option(bridge: Bridge, constants: Any) -> None:
    assert bridge.wp.call("advik_coupons_setting", "token")["value"] == bridge.service.token
    constants({"ADVIK_COUPONS_TOKEN": "advk_not-a-real-token"})
    assert bridge.wp.call("advik_coupons_setting", "token")["value"] == "advk_not-a-real-token"
    refused = error(bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "10.00"}))
    assert refused["code"] == "advik_coupons_unauthorized"
    constants({})
    assert "value" in bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "10.00"})


def test_not_set_up_is_a_wp_error(bridge: Bridge, constants: Any) -> None:
    constants({"ADVIK_COUPONS_URL": ""})
    assert error(bridge.wp.call("advik_coupons_quote", "FLAT5", {"subtotal": "10.00"}))[
        "code"] == "advik_coupons_not_configured"
