"""Shared fixtures: an app on a fresh SQLite file, one on MariaDB/MySQL, one on PostgreSQL.

MariaDB is ``ADVIK_TEST_MYSQL_URL`` (default: root on 127.0.0.1:3306, database
``test``); PostgreSQL is ``ADVIK_TEST_PG_URL`` (default: postgres on
127.0.0.1:5432, database ``test``, created when missing); Redis is
``ADVIK_TEST_REDIS_URL``. When one is not reachable its
tests are skipped on a developer's machine and fail under ``CI=true``, where
``.ci/run`` has started them, so CI skips nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from advik_coupons import create_app
from advik_coupons.domain.coupon import defaults
from advik_coupons.services.accounts import create_token
from advik_coupons.services.coupons import create_coupon
from advik_coupons.state import get_state
from advik_coupons.store.models import Base
from advik_coupons.store.schema import upgrade
from tests.hook_receiver import Receiver, running_receiver, webhook_config

MYSQL_URL = os.environ.get(
    "ADVIK_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4")
PG_URL = os.environ.get(
    "ADVIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ADVIK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"

BASE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "ADVIK_QUOTE_CACHE_SECONDS": 0,
    "ADVIK_FUNNEL_FLUSH_SECONDS": 0,
    "ADVIK_HOOKS_DIR": "",
}


def unavailable(what: str, why: object) -> None:
    message = f"{what} is not reachable: {why}"
    if IN_CI:
        pytest.fail(message + " (CI must provide it)")
    pytest.skip(message)


def make_app(url: str, tmp_path: Path, **config: Any) -> Flask:
    return create_app({**BASE_CONFIG, "ADVIK_DATABASE_URL": url,
                       "INSTANCE_PATH": str(tmp_path / "instance"), **config})


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        upgrade(get_state().engine)
        get_state().engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "advik.sqlite"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def mysql_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The MariaDB test database with the schema migrated from scratch once per run."""
    engine = create_engine(MYSQL_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("MariaDB at " + MYSQL_URL.split("@")[-1], exc)
    drop_plugin_tables(engine)
    engine.dispose()
    app = make_app(MYSQL_URL, tmp_path_factory.mktemp("mysql"))
    with app.app_context():
        upgrade(get_state().engine)
        get_state().engine.dispose()
    return MYSQL_URL


def drop_plugin_tables(engine: Any, prefix: str = "advik_") -> None:
    names = [n for n in inspect(engine).get_table_names() if n.startswith(prefix)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for name in names:
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
            return
        connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for name in names:
            connection.execute(text(f"DROP TABLE IF EXISTS `{name}`"))
        connection.execute(text("SET FOREIGN_KEY_CHECKS=1"))


def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it is not there yet."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": target.database}).scalar()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The PostgreSQL test database with the schema migrated from scratch once per run."""
    try:
        ensure_pg_database(PG_URL)
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("PostgreSQL at " + PG_URL.split("@")[-1], exc)
    drop_plugin_tables(engine)
    engine.dispose()
    app = make_app(PG_URL, tmp_path_factory.mktemp("pg"))
    with app.app_context():
        upgrade(get_state().engine)
        get_state().engine.dispose()
    return PG_URL


def empty_tables(app: Flask) -> None:
    with app.app_context():
        engine = get_state().engine
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The standalone app on a fresh, migrated SQLite file."""
    application = make_app(sqlite_url, tmp_path)
    yield application
    with application.app_context():
        get_state().engine.dispose()


@pytest.fixture
def mysql_app(mysql_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The standalone app on MariaDB, its tables emptied first."""
    application = make_app(mysql_url, tmp_path)
    empty_tables(application)
    yield application
    with application.app_context():
        get_state().engine.dispose()


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The standalone app on PostgreSQL, its tables emptied first."""
    application = make_app(pg_url, tmp_path)
    empty_tables(application)
    yield application
    with application.app_context():
        get_state().engine.dispose()


#: The databases every ``any_app`` test runs on, and the fixture that serves each.
DATABASES = {"sqlite": "app", "mysql": "mysql_app", "postgres": "pg_app"}


@pytest.fixture(params=list(DATABASES))
def any_app(request: pytest.FixtureRequest) -> Flask:
    """The same test on SQLite, on MariaDB and on PostgreSQL."""
    if request.param != "sqlite":
        request.applymarker(getattr(pytest.mark, request.param))
    return request.getfixturevalue(DATABASES[request.param])  # type: ignore[no-any-return]


class ApiClient:
    """The test client with a real bearer token."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        with app.app_context():
            self.token = create_token("tests")
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.client, method)

        def request(path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return call("/api/v1" + path, headers=headers, **kwargs)

        return request


@pytest.fixture
def api(app: Flask) -> ApiClient:
    return ApiClient(app)


@pytest.fixture
def any_api(any_app: Flask) -> ApiClient:
    return ApiClient(any_app)


def coupon_fields(**overrides: Any) -> dict[str, Any]:
    """A valid create body; override what the test is about."""
    body: dict[str, Any] = {"name": "Test coupon", "code": "TEST10",
                            "discount_type": "percent", "discount_value": "10"}
    body.update(overrides)
    return body


def make_coupon(app: Flask, **overrides: Any) -> int:
    """Create a coupon through the service layer (the API's own path) and return its id."""
    values: dict[str, Any] = defaults()
    values.update({"name": "Test coupon", "code": "TEST10", "discount_type": "percent",
                   "discount_value": Decimal("10")})
    values.update(overrides)
    with app.app_context():
        return create_coupon(values).id


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for the browser tests (skips or fails without it)."""
    from tests.browser.support import launch_browser

    yield from launch_browser()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local webhook receiver on 127.0.0.1 that records what it gets."""
    with running_receiver() as found:
        yield found


@pytest.fixture
def hooked(sqlite_url: str, tmp_path: Path, receiver: Receiver) -> Flask:
    """The app on SQLite with the bundled webhook pointed at ``receiver``."""
    return make_app(sqlite_url, tmp_path, **webhook_config(receiver))
