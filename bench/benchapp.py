"""The app the benchmarks serve: ``create_app()`` plus a no-op JSON route.

``POST /noop`` reads the JSON body and answers a small JSON object — the
floor of the stack (gunicorn, Flask, JSON), measured with the same server
settings as ``POST /coupons/apply`` in the same app.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from advik_coupons import create_app


def create_bench_app() -> Flask:
    app = create_app()

    @app.post("/noop")
    def noop() -> ResponseReturnValue:
        body = request.get_json(silent=True) or {}
        return jsonify({"valid": True, "code": str(body.get("code", ""))})

    return app
