"""Signing and verifying webhooks the Standard Webhooks way.

Every webhook request carries three headers:

* ``webhook-id`` — the event id (the same on every retry: deduplicate on it);
* ``webhook-timestamp`` — Unix seconds of this attempt;
* ``webhook-signature`` — ``v1,<base64 HMAC-SHA256>`` of ``"{id}.{timestamp}.{body}"``
  keyed with the secret: ``ADVIK_WEBHOOK_SECRET`` is ``whsec_`` + the base64 key.
  Several space-separated signatures may be present (during a key rotation).

A receiver written in Python (Flask shown; any framework works)::

    from advik_coupons.webhook_verify import WebhookVerificationError, verify

    @app.post("/hooks/advik")
    def advik_hook():
        try:
            event = verify(SECRET, request.headers, request.get_data())
        except WebhookVerificationError:
            abort(400)
        if already_seen(event["id"]):      # retries carry the same id
            return "", 204
        handle(event["type"], event["data"])
        return "", 204

The comparison is constant-time and a timestamp more than ``tolerance``
seconds (default 5 minutes) away from now is refused, so a captured request
cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from typing import Any

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}", re.ASCII)


class WebhookVerificationError(ValueError):
    """The request is not a valid, fresh, signed webhook."""


def secret_key(secret: str) -> bytes:
    """The raw key of a ``whsec_...`` secret. Raises :class:`ValueError` when malformed."""
    raw = secret.strip()
    raw = raw.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the webhook secret must be 'whsec_' + a base64 key") from exc
    if len(key) < 16:
        raise ValueError("the webhook secret's key is too short (at least 16 bytes)")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` header value (``v1,<base64>``) for one request."""
    payload = body if isinstance(body, bytes) else body.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + payload
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    raise WebhookVerificationError(f"missing header {name}")


def verify(secret: str, headers: Mapping[str, str], body: bytes | str, *,
           tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> dict[str, Any]:
    """Check a webhook request and return its JSON event.

    Raises :class:`WebhookVerificationError` (and nothing else, whatever the
    headers and the body hold) when a header is missing or malformed, the
    timestamp is outside ``tolerance`` seconds, no signature matches or the
    body is not a JSON object. A bad ``secret`` is the receiver's own
    mistake: :class:`ValueError`.
    """
    msg_id = _text(_header(headers, "webhook-id"), "webhook-id")
    stamp = _header(headers, "webhook-timestamp").strip()
    signatures = _text(_header(headers, "webhook-signature"), "webhook-signature")
    if not TIMESTAMP_RE.fullmatch(stamp):  # ASCII digits only, never a 400-digit number
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds")
    timestamp = int(stamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too old or too new")
    expected = sign(secret, msg_id, timestamp, body).encode()
    matched = False
    for candidate in signatures.split():
        # Check every candidate so the time taken does not say which one matched.
        matched |= hmac.compare_digest(candidate.encode(), expected)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return event


def _text(value: str, name: str) -> str:
    """A header value that is text (a lone surrogate cannot be signed or compared)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        raise WebhookVerificationError(f"{name} is not text") from None
    return value
