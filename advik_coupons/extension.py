"""The Flask extension: ``AdvikCoupons(app)`` or ``AdvikCoupons().init_app(app)``."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from importlib import import_module
from typing import Any

from flask import Flask, current_app
from flask.globals import app_ctx
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from . import settings as settings_mod
from .events import Channel
from .funnel import FunnelCounter
from .models import use_table_prefix
from .terms_cache import TermsCache

EXTENSION_KEY = "advik_coupons"


@dataclass
class AppState:
    """What the extension keeps for one app (not hung on the app object)."""

    db: SQLAlchemy
    sessions: scoped_session[Session]
    tz: tzinfo
    currency: str
    tax_rate: Decimal
    terms_cache: TermsCache
    funnel: FunnelCounter
    customer_lookup: Callable[[str], bool] | None = None
    channels: list[Channel] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def session(self) -> Session:
        """The plugin's own session for the current app context.

        It is not the host's ``db.session``: the plugin commits and rolls back
        its own transactions without touching a host's pending changes.
        """
        return self.sessions()

    @property
    def engine(self) -> Engine:
        return self.db.engine


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
        - ``ADVIK_POOL_RECYCLE`` — MySQL connection recycle (seconds).
        - ``ADVIK_URL_PREFIX``, ``ADVIK_API_PREFIX``, ``ADVIK_ADMIN_PREFIX``.
        - the hook, rate-limit, webhook and admin settings, read by their modules.

        Raises :class:`RuntimeError` if called twice on the same app.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("AdvikCoupons is already set up on this app; call init_app once.")
        settings_mod.apply_defaults(app.config)
        use_table_prefix(str(app.config["ADVIK_TABLE_PREFIX"]))
        db = self._setup_db(app)
        with app.app_context():
            engine = db.engine
            _tune_engine(engine)
        sessions = scoped_session(sessionmaker(bind=engine), scopefunc=_app_context_id)
        app.teardown_appcontext(lambda _exc: sessions.remove())
        state = AppState(
            db=db,
            sessions=sessions,
            tz=settings_mod.site_timezone(app.config),
            currency=str(app.config["ADVIK_CURRENCY"]).upper(),
            tax_rate=settings_mod.tax_rate(app.config),
            terms_cache=TermsCache(float(app.config["ADVIK_QUOTE_CACHE_SECONDS"])),
            funnel=FunnelCounter(engine, float(app.config["ADVIK_FUNNEL_FLUSH_SECONDS"])),
            customer_lookup=resolve_callable(app.config.get("ADVIK_CUSTOMER_LOOKUP"),
                                             "ADVIK_CUSTOMER_LOOKUP"),
        )
        self._states[app] = state
        app.extensions[EXTENSION_KEY] = self
        from .wiring import wire  # one place lists every blueprint, command and hook

        wire(app, state)

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

    def state(self, app: Flask | None = None) -> AppState:
        target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        try:
            return self._states[target]
        except KeyError:
            raise RuntimeError(
                "AdvikCoupons is not set up on this app; call init_app(app).") from None


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


def engine_options(url: str, config: Any) -> dict[str, Any]:
    """Pool settings that suit the database behind ``url``."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # Recycle below MySQL's wait_timeout instead of a ping on every checkout
    # (DESIGN §6: PyMySQL is pure Python, each round trip costs); a connection
    # the server dropped anyway fails one request and SQLAlchemy then replaces
    # the whole pool. ADVIK_POOL_PRE_PING turns the ping on where idle
    # connections are cut sooner than the recycle.
    options: dict[str, Any] = {"pool_recycle": int(config.get("ADVIK_POOL_RECYCLE", 280)),
                               "pool_pre_ping": bool(config.get("ADVIK_POOL_PRE_PING", False)),
                               "pool_size": 10, "max_overflow": 20}
    if url.startswith("mysql"):
        # Every statement sees the latest committed rows once a row lock is held.
        options["isolation_level"] = "READ COMMITTED"
    return options


def _tune_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite" or getattr(engine, "_advik_tuned", False):
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    engine._advik_tuned = True  # type: ignore[attr-defined]


def resolve_callable(value: object, key: str) -> Callable[..., Any] | None:
    """A setting that names a callable: the callable itself or ``"module:name"``."""
    if value in (None, ""):
        return None
    if callable(value):
        return value
    module_name, _, attr = str(value).partition(":")
    try:
        found = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"{key}={value!r} does not name an importable callable") from exc
    if not callable(found):
        raise RuntimeError(f"{key}={value!r} is not callable")
    return found  # type: ignore[no-any-return]


def get_state(app: Flask | None = None) -> AppState:
    """The extension's state for ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    ext = target.extensions.get(EXTENSION_KEY)
    if ext is None:
        raise RuntimeError(
            "AdvikCoupons is not set up on this app: AdvikCoupons(app) or create_app().")
    assert isinstance(ext, AdvikCoupons)
    return ext.state(app if app is not None else None)
