"""Starting in production: migrations once, pool settings for MySQL, a DB that is down."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from advik_coupons.state import get_state
from advik_coupons.store.schema import newest_heads
from tests.conftest import drop_plugin_tables, make_app
from tests.production.servers import free_port, server_env, start_server

pytestmark = pytest.mark.timeout(120)
CLI = str(Path(sys.executable).parent / "advik-coupons")
PREFIX = "advprodmig_"


def run_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([CLI, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(params=[pytest.param("mysql", marks=pytest.mark.mysql),
                        pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest) -> str:
    """The MariaDB test database, then the PostgreSQL one."""
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))


@pytest.fixture
def fresh_prefix(server_db: str) -> Iterator[str]:
    """A table prefix with no tables yet in the test database."""
    engine = create_engine(server_db)
    drop_plugin_tables(engine, PREFIX)
    yield PREFIX
    drop_plugin_tables(engine, PREFIX)
    engine.dispose()


def test_concurrent_init_db_runs_migrate_once(server_db: str, fresh_prefix: str,
                                              tmp_path: Path) -> None:
    env = server_env(server_db, tmp_path / "instance", ADVIK_TABLE_PREFIX=fresh_prefix)
    runs = [run_cli(env, "init-db") for _ in range(4)]
    outputs = [run.communicate(timeout=90) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Schema is up to date" in out
    engine = create_engine(server_db)
    try:
        names = set(inspect(engine).get_table_names())
        assert {fresh_prefix + t for t in ("coupons", "coupon_codes", "redemptions",
                                           "alembic_version")} <= names
        with engine.connect() as connection:
            versions = connection.execute(
                text(f"SELECT version_num FROM {fresh_prefix}alembic_version")).scalars().all()
        assert sorted(versions) == sorted(newest_heads())
    finally:
        engine.dispose()


@pytest.mark.mysql
def test_mysql_pool_recycles_below_wait_timeout_read_committed(mysql_url: str,
                                                               tmp_path: Path) -> None:
    app = make_app(mysql_url, tmp_path)
    with app.app_context():
        engine = get_state().engine
        with engine.connect() as connection:
            wait_timeout = int(connection.execute(
                text("SELECT @@session.wait_timeout")).scalar_one())
            isolation = connection.execute(text("SELECT @@session.tx_isolation")).scalar_one()
        assert 0 < engine.pool._recycle < wait_timeout  # type: ignore[attr-defined]
        assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
        assert isolation == "READ-COMMITTED"
        engine.dispose()


@pytest.mark.parametrize("command", [["init-db"], ["deliver"], ["deliver", "--once"]])
def test_start_on_unreachable_database_says_so_in_one_line(tmp_path: Path,
                                                          command: list[str]) -> None:
    url = f"mysql+pymysql://root@127.0.0.1:{free_port()}/nowhere"
    env = server_env(url, tmp_path / "instance")
    run = run_cli(env, *command)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database at"), err


def test_gunicorn_with_database_down_starts_and_answers_503(tmp_path: Path) -> None:
    """Workers boot without the database; requests get 503 and the log one line each."""
    url = f"mysql+pymysql://root@127.0.0.1:{free_port()}/nowhere"
    server = start_server(server_env(url, tmp_path / "instance"), tmp_path, workers=2)
    try:
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        answer = httpx.post(server.url + "/api/v1/redemptions", timeout=10,
                            headers={"Authorization": "Bearer advk_whatever"},
                            json={"code": "SPRING10", "subtotal": "120", "booking_ref": "B1"})
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "1"
        assert answer.json()["error"] == "database_unavailable"
    finally:
        server.stop()
    log = server.log_text()
    assert "Traceback" not in log
    failures = [line for line in log.splitlines() if "database unavailable" in line]
    assert len(failures) == 1 and "Can't connect" in failures[0], log


def test_environment_names_the_database(tmp_path: Path) -> None:
    """``ADVIK_DATABASE_URL`` from the environment is what gunicorn's create_app() uses."""
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    saved = dict(os.environ)
    os.environ.update(server_env(url, tmp_path / "instance"))
    try:
        from advik_coupons import create_app

        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with app.app_context():
        assert str(get_state().engine.url) == url
        get_state().engine.dispose()
