"""A real HTTP receiver on 127.0.0.1 for the webhook and Slack tests.

It records every request and answers from a script of responses
(status, headers, delay), then 200 once the script is used up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from advik_coupons.events import stage
from advik_coupons.state import get_state
from advik_coupons.store.models import OutboxMessage, utcnow


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log lines in the test output."""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], float]] = field(default_factory=list)
    server: BaseWSGIServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, status: int, headers: dict[str, str] | None = None,
               delay: float = 0.0, times: int = 1) -> None:
        with self.lock:
            self.script.extend([(status, headers or {}, delay)] * times)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self.lock:
            self.requests.append(Received(request.path, dict(request.headers),
                                          request.get_data(), time.time()))
            status, headers, delay = self.script.pop(0) if self.script else (200, {}, 0.0)
        if delay:
            time.sleep(delay)
        return Response("ok" if status < 300 else "nope", status=status,
                        headers=headers)(environ, start_response)

    def start(self, port: int = 0) -> None:
        self.server = make_server("127.0.0.1", port, self, threaded=True,
                                  request_handler=QuietHandler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def webhook_config(receiver: Receiver, **extra: Any) -> dict[str, Any]:
    """App settings that load the bundled hooks and point the webhook at ``receiver``."""
    return {"ADVIK_HOOKS_DIR": None, "ADVIK_WEBHOOK_URL": receiver.url,
            "ADVIK_WEBHOOK_SECRET": SECRET, "ADVIK_WEBHOOK_RETRY_BASE_SECONDS": 0.01,
            "ADVIK_WEBHOOK_TIMEOUT_SECONDS": 2.0, **extra}


def stage_event(app: Flask, event_type: str = "coupon.redeemed",
                data: dict[str, Any] | None = None) -> str:
    """Write one notice for every subscribed channel of ``app``; returns its event id."""
    with app.app_context():
        state = get_state()
        event_id = stage(state.session, state.channels, event_type, data or {
            "coupon": {"id": 1, "code": "TEST10"},
            "booking": {"booking_ref": "BK-1", "email": "ann@example.com"},
            "amounts": {"subtotal": "100.00", "discount": "10.00", "tax": "0.00",
                        "total": "90.00", "currency": "USD"}}, coupon_id=1)
        state.session.commit()
    assert event_id is not None
    return event_id


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        session = get_state().session
        found = list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        session.expunge_all()
        return found


def make_due(app: Flask) -> None:
    """Let time pass: every pending notice is due now and unclaimed."""
    with app.app_context():
        session = get_state().session
        session.execute(update(OutboxMessage).values(
            next_attempt_at=utcnow() - timedelta(seconds=1), claimed_until=None))
        session.commit()
