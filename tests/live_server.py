"""The app served by waitress on 127.0.0.1 (a free port) in a thread, for tests that
talk HTTP to it from outside (schemathesis, curl, a generated client).

:func:`serving` yields the base URL and an API token, and closes the server when
the test ends, so nothing is left listening.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from waitress.server import create_server

from advik_coupons.services.accounts import create_token


@contextmanager
def serving(app: Flask, threads: int = 4) -> Iterator[tuple[str, str]]:
    """``(base_url, token)`` of ``app`` on a free local port while the block runs."""
    with app.app_context():
        token = create_token("live-tests")
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress-tests", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", token
    finally:
        server.close()
        thread.join(timeout=5)
