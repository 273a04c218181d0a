"""Opening the port ``serve`` and ``demo`` listen on, and saying clearly when it is taken.

Waitress drops every ``X-Forwarded-*`` header it was not told to trust. Behind
``ADVIK_TRUSTED_PROXIES`` proxies it is told to trust their ``X-Forwarded-Proto``
and ``X-Forwarded-For`` (waitress's own ``trusted_proxy`` settings, counted like
:func:`advik_coupons.web.ratelimit.client_address`), so a site behind a TLS
proxy sees https (the session cookie gets ``Secure``, links say https) and the
limits see the client's address. A host app's own server is left alone.

A new user starting the demo a second time (or with another program on port
5000) should read one line telling them what to type instead, not a traceback:
:func:`bind` raises :class:`PortTaken` carrying a port that is free right now.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from flask import Flask
from waitress.server import create_server

#: How many ports after the taken one are tried for a suggestion.
SUGGEST_WITHIN = 50


class PortTaken(Exception):
    """The port is in use; ``suggestion`` is a free one (``None`` when none was found)."""

    def __init__(self, port: int, suggestion: int | None) -> None:
        self.port = port
        self.suggestion = suggestion
        hint = f"try --port {suggestion}" if suggestion else "try another --port"
        super().__init__(f"port {port} is taken: {hint}")


def is_free(host: str, port: int) -> bool:
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError:
        return False
    return True


def free_after(host: str, port: int) -> int | None:
    """The first free port after ``port`` (within :data:`SUGGEST_WITHIN`)."""
    for candidate in range(port + 1, min(port + 1 + SUGGEST_WITHIN, 65536)):
        if is_free(host, candidate):
            return candidate
    return None


def bind(app: Flask, host: str, port: int, threads: int) -> Any:
    """A waitress server listening on ``host:port`` (not yet serving), or :class:`PortTaken`."""
    trusted = int(app.config.get("ADVIK_TRUSTED_PROXIES") or 0)
    proxies: dict[str, Any] = {} if trusted <= 0 else {
        "trusted_proxy": "*", "trusted_proxy_count": trusted,
        "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"}}
    try:
        return create_server(app, host=host, port=port, threads=threads, ident="advik-coupons",
                             **proxies)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise PortTaken(port, free_after(host, port)) from None
