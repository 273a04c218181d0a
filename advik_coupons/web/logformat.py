"""``ADVIK_LOG_FORMAT=json``: one JSON object per log line, for a log shipper.

Each line has ``time`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger``,
``message`` and, inside a request or a hook it sent, ``request_id``; the fields a
caller passes with ``extra=`` (the coupon events' ``event``, ``reason`` and
``coupon_id``…) follow, and ``exc`` holds a traceback. Nothing that identifies a
customer or grants access is written whole: e-mail addresses are cut to their
first letter and domain (``a…@example.com``) and API tokens and webhook
secrets to their prefix, in the message and in every field.

:func:`configure` is what :func:`advik_coupons.create_app` calls; a host that
mounts the extension sets :class:`JsonFormatter` on its own handler instead.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from .. import requestid
from ..services.accounts import TOKEN_PREFIX

FORMATS = ("text", "json")
#: The attributes every :class:`logging.LogRecord` has: not "extra" fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
_SECRET = re.compile(rf"\b({re.escape(TOKEN_PREFIX)}|whsec_)[A-Za-z0-9_\-+/=]+")


def redact(text: str) -> str:
    """``text`` with e-mail addresses and tokens cut short."""
    return _SECRET.sub(r"\1…", _EMAIL.sub(r"\1…@\2", text))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (see the module's docstring for the fields)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        found = requestid.current()
        if found:
            line["request_id"] = found
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = _clean(value)
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class _AdvikHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure` installs (so a second call replaces it)."""


def configure(log_format: str) -> None:
    """Send the process's log records to stderr as JSON lines (``json``), or leave the
    logging set-up alone (``text``). Raises :class:`RuntimeError` for another value."""
    choice = (log_format or "text").strip().lower()
    if choice not in FORMATS:
        raise RuntimeError(f"ADVIK_LOG_FORMAT={log_format!r} is not one of "
                           + ", ".join(FORMATS))
    if choice == "text":
        return
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _AdvikHandler)]:
        root.removeHandler(handler)
    handler = _AdvikHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    ours = logging.getLogger("advik_coupons")  # the plugin's INFO lines; libraries' stay off
    if ours.level == logging.NOTSET or ours.level > logging.INFO:
        ours.setLevel(logging.INFO)
