"""One place that lists what the extension adds to an app: blueprints, commands, hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from . import (
    admin,
    api_bookings,  # noqa: F401  (adds its routes to the API blueprint)
    checkout,
    delivery,
    demo,
)
from .admin import deliveries  # noqa: F401  (adds /admin/deliveries to the admin pages)
from .api import bp as api_bp
from .cli import advik_cli
from .hookloader import load_hooks

if TYPE_CHECKING:
    from .extension import AppState


def wire(app: Flask, state: AppState) -> None:
    prefix = str(app.config["ADVIK_URL_PREFIX"]).rstrip("/")
    app.register_blueprint(api_bp, url_prefix=prefix + str(app.config["ADVIK_API_PREFIX"]))
    app.register_blueprint(admin.bp, url_prefix=prefix + str(app.config["ADVIK_ADMIN_PREFIX"]))
    admin.setup(app)
    checkout.register(app, state, prefix)
    if app.config.get("ADVIK_DEMO"):
        demo.register(app, prefix)
    app.cli.add_command(advik_cli)
    load_hooks(app, state)  # hook modules: ADVIK_HOOKS_DIR, ADVIK_HOOKS, entry points
    if app.config.get("ADVIK_DELIVERY_THREAD"):
        delivery.start_thread(app)
