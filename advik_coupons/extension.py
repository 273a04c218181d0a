"""The Flask extension: ``AdvikCoupons(app)`` or ``AdvikCoupons().init_app(app)``.

``init_app`` reads the settings, sets up the database and the plugin's own
session, makes the app's :class:`~advik_coupons.state.AppState`, and then
wires every face explicitly, in one place: the JSON API, the admin pages, the
payment step, the demo site (with ``ADVIK_DEMO``), the ``advik`` commands,
the answers to the domain's errors, the security headers, the hook modules and the outbox thread
(with ``ADVIK_DELIVERY_THREAD``).
"""

from __future__ import annotations

import os
import weakref

from flask import Flask
from flask.globals import app_ctx
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import scoped_session, sessionmaker

from . import admin, api, checkout, demo, settings
from .commands import advik_cli
from .events import delivery
from .events.eventlog import connect_event_log
from .events.hookloader import load_hooks
from .services.lifecycle import announce_due
from .state import EXTENSION_KEY, AppState
from .store.engine import engine_options, tune_engine
from .store.funnel import FunnelCounter
from .store.models import use_table_prefix
from .store.terms_cache import TermsCache
from .web import bodylimit, errors, headers, health, metrics, tracing
from .web.i18n import init_babel


class AdvikCoupons:
    """Mounts the coupon engine into a Flask app.

    :param app: the app to set up now (or call :meth:`init_app` later).
    :param db: a host's own Flask-SQLAlchemy instance to share. Without it the
        extension uses the app's existing Flask-SQLAlchemy if it has one, else
        creates its own, bound to ``ADVIK_DATABASE_URL``.
    """

    def __init__(self, app: Flask | None = None, *, db: SQLAlchemy | None = None) -> None:
        self._db = db
        self._states: weakref.WeakKeyDictionary[Flask, AppState] = weakref.WeakKeyDictionary()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Set the extension up on ``app``.

        Reads (each filled by ``setdefault`` when the host has not set it; the
        full list with defaults is :data:`advik_coupons.settings.SETTINGS`):

        - ``ADVIK_DATABASE_URL`` → ``SQLALCHEMY_DATABASE_URI`` when the extension
          brings its own db; default SQLite file in the instance folder.
        - ``ADVIK_TABLE_PREFIX`` — prefix of every table.
        - ``ADVIK_TIMEZONE``, ``ADVIK_CURRENCY``, ``ADVIK_TAX_RATE``.
        - ``ADVIK_QUOTE_CACHE_SECONDS`` — the quote's terms cache.
        - ``ADVIK_FUNNEL_FLUSH_SECONDS`` — how often the funnel counts are written.
        - ``ADVIK_CUSTOMER_LOOKUP`` — a host's "has this customer booked before?".
        - ``ADVIK_EMAIL_CANONICAL`` — customers compared by canonical e-mail.
        - ``ADVIK_POOL_RECYCLE``, ``ADVIK_POOL_PRE_PING`` — MySQL's connection pool.
        - ``ADVIK_URL_PREFIX``, ``ADVIK_API_PREFIX``, ``ADVIK_ADMIN_PREFIX``.
        - ``ADVIK_DEMO``, ``ADVIK_DELIVERY_THREAD``.
        - the hook, rate-limit, webhook and admin settings, read by their modules.

        Raises :class:`RuntimeError` if called twice on the same app.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("AdvikCoupons is already set up on this app; call init_app once.")
        settings.apply_defaults(app.config)
        use_table_prefix(str(app.config["ADVIK_TABLE_PREFIX"]))
        db = self._setup_db(app)
        with app.app_context():
            engine = db.engine
            tune_engine(engine)
        sessions = scoped_session(sessionmaker(bind=engine), scopefunc=_app_context_id)
        app.teardown_appcontext(lambda _exc: sessions.remove())
        state = AppState(
            db=db,
            sessions=sessions,
            tz=settings.site_timezone(app.config),
            currency=str(app.config["ADVIK_CURRENCY"]).upper(),
            tax_rate=settings.tax_rate(app.config),
            terms_cache=TermsCache(float(app.config["ADVIK_QUOTE_CACHE_SECONDS"])),
            funnel=FunnelCounter(engine, float(app.config["ADVIK_FUNNEL_FLUSH_SECONDS"])),
            customer_lookup=settings.callable_setting(app.config.get("ADVIK_CUSTOMER_LOOKUP"),
                                                      "ADVIK_CUSTOMER_LOOKUP"),
            canonical_emails=bool(app.config["ADVIK_EMAIL_CANONICAL"]),
        )
        self._states[app] = state
        app.extensions[EXTENSION_KEY] = self
        self._wire(app)

    def _wire(self, app: Flask) -> None:
        """Every blueprint, command, error answer and hook the extension adds to ``app``."""
        prefix = str(app.config["ADVIK_URL_PREFIX"]).rstrip("/")
        init_babel(app)
        api.register(app, prefix + str(app.config["ADVIK_API_PREFIX"]))
        admin.register(app, prefix + str(app.config["ADVIK_ADMIN_PREFIX"]))
        checkout.register(app, prefix)
        health.register(app, prefix)  # after the checkout: it checks the limiter's Redis
        if app.config.get("ADVIK_DEMO"):
            demo.register(app, prefix)
        errors.register(app)
        tracing.register(app)  # the request id of logs, notices and webhook headers
        if str(app.config.get("ADVIK_LOG_FORMAT") or "").strip().lower() == "json":
            connect_event_log(app)
        metrics.register(app)  # with ADVIK_METRICS_PATH: the endpoint and its request hooks
        headers.register(app)  # nosniff, Referrer-Policy, CSP; no-store on admin pages
        bodylimit.register(app)
        app.cli.add_command(advik_cli)
        load_hooks(app, self.state(app))  # hook modules: ADVIK_HOOKS_DIR, ADVIK_HOOKS, entry points
        if app.config.get("ADVIK_DELIVERY_THREAD"):
            delivery.start_thread(app, periodic=announce_due)

    def _setup_db(self, app: Flask) -> SQLAlchemy:
        db = self._db
        if db is None and "sqlalchemy" in app.extensions:
            db = app.extensions["sqlalchemy"]
        if db is not None:
            if "sqlalchemy" not in app.extensions:
                raise RuntimeError(
                    "The db passed to AdvikCoupons is not set up on this app: "
                    "call db.init_app(app) before AdvikCoupons(app, db=db).")
            return db
        url = app.config.get("ADVIK_DATABASE_URL") or (
            f"sqlite:///{app.instance_path}/advik_coupons.sqlite")
        if str(url).startswith("sqlite:///"):
            os.makedirs(app.instance_path, exist_ok=True)
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", url)
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(str(url), app.config))
        db = SQLAlchemy()
        db.init_app(app)
        return db

    def state(self, app: Flask) -> AppState:
        """This extension's state for ``app``."""
        try:
            return self._states[app]
        except KeyError:
            raise RuntimeError(
                "AdvikCoupons is not set up on this app; call init_app(app).") from None


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]
