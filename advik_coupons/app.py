"""``create_app()``: the plugin as a standalone WSGI app."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.wrappers import Response

from . import settings
from .commands import advik_cli
from .extension import AdvikCoupons
from .resources import instance_file_secret, resource_dir
from .web import dbdown, headers, logformat


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the standalone app: ``ADVIK_*`` environment variables, then ``config``.

    Without ``ADVIK_DATABASE_URL`` the data lives in a SQLite file in the
    instance folder; without ``SECRET_KEY`` one is generated once and kept
    there (``instance/secret_key``).
    """
    logformat.configure(str((config or {}).get("ADVIK_LOG_FORMAT")
                            or os.environ.get("ADVIK_LOG_FORMAT") or "text"))
    app = Flask("advik_coupons", instance_path=_instance_path(config),
                template_folder=str(resource_dir("templates")),
                static_folder=str(resource_dir("static")), static_url_path="/advik-static")
    app.config.update(settings.from_environ())
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    AdvikCoupons(app)
    dbdown.register(app)
    headers.register(app, every_page=True)
    for command in advik_cli.commands.values():
        app.cli.add_command(command)

    @app.get("/")
    def index() -> Response:
        if "advik_demo" in app.blueprints:
            return redirect(url_for("advik_demo.booking_page"))
        return redirect(url_for("advik_admin.overview_page") if "advik_admin" in app.blueprints
                        else url_for("advik_health.healthz"))

    return app


def _instance_path(config: Mapping[str, Any] | None) -> str:
    if config and config.get("INSTANCE_PATH"):
        return str(config["INSTANCE_PATH"])
    if os.environ.get("ADVIK_INSTANCE_PATH"):
        return os.environ["ADVIK_INSTANCE_PATH"]
    return str(Path.cwd() / "instance")


def _instance_secret(instance_path: str) -> str:
    return instance_file_secret(instance_path, "secret_key", lambda: secrets.token_hex(32))
