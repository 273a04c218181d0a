"""The migrations: they match the models, reach the newest head, and honour the prefix."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect

from advik_coupons.state import get_state
from advik_coupons.store.models import Base
from advik_coupons.store.schema import current_heads, newest_heads
from tests.conftest import MYSQL_URL, PG_URL

ROOT = Path(__file__).resolve().parents[2]


def test_migrated_schema_matches_the_models(any_app: Flask) -> None:
    with any_app.app_context():
        engine = get_state().engine
        inspector = inspect(engine)
        assert current_heads(engine) == newest_heads()
        for table in Base.metadata.sorted_tables:
            reflected = {c["name"] for c in inspector.get_columns(table.name)}
            assert reflected == {c.name for c in table.columns}, table.name


def test_unique_code_index_exists(any_app: Flask) -> None:
    with any_app.app_context():
        inspector = inspect(get_state().engine)
        uniques = inspector.get_unique_constraints("advik_coupon_codes")
        indexes = inspector.get_indexes("advik_coupon_codes")
    columns = [u["column_names"] for u in uniques] + [
        i["column_names"] for i in indexes if i.get("unique")]
    assert ["code"] in columns


PREFIX_SCRIPT = textwrap.dedent("""
    import sys
    from sqlalchemy import inspect, text
    from advik_coupons import create_app
    from advik_coupons.state import get_state
    from advik_coupons.store.schema import upgrade
    from advik_coupons.services.accounts import create_token
    url, instance = sys.argv[1], sys.argv[2]
    app = create_app({"ADVIK_DATABASE_URL": url, "ADVIK_TABLE_PREFIX": "wp_advik_",
                      "ADVIK_HOOKS_DIR": "", "INSTANCE_PATH": instance, "SECRET_KEY": "x"})
    with app.app_context():
        engine = get_state().engine
        upgrade(engine)
        names = set(inspect(engine).get_table_names())
        token = create_token("prefix")
    mine = sorted(n for n in names if n.startswith("wp_advik_"))
    assert "wp_advik_alembic_version" in mine and "wp_advik_coupons" in mine, mine
    client = app.test_client()
    h = {"Authorization": "Bearer " + token}
    r = client.post("/api/v1/coupons", headers=h, json={"name": "WP", "code": "wp5",
                    "discount_type": "fixed", "discount_value": "5"})
    assert r.status_code == 201, r.json
    q = client.post("/api/v1/quote", headers=h, json={"code": "WP5", "subtotal": "10"})
    assert q.json["total"] == "5.00", q.json
    with app.app_context(), get_state().engine.begin() as c:
        c.execute(text("SET FOREIGN_KEY_CHECKS=0") if "mysql" in url else text("SELECT 1"))
        for name in mine:
            c.execute(text(f"DROP TABLE {name}" + (" CASCADE" if "postgresql" in url else "")))
    print("PREFIX-OK", len(mine))
""")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql),
                                     pytest.param("postgres", marks=pytest.mark.postgres)])
def test_table_prefix_reaches_every_table(backend: str, tmp_path: Path,
                                          request: pytest.FixtureRequest) -> None:
    if backend == "mysql":
        request.getfixturevalue("mysql_url")  # skips or fails when MariaDB is absent
        url = MYSQL_URL
    elif backend == "postgres":
        request.getfixturevalue("pg_url")  # skips or fails when PostgreSQL is absent
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path}/prefix.sqlite"
    result = subprocess.run([sys.executable, "-c", PREFIX_SCRIPT, url, str(tmp_path)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "PREFIX-OK" in result.stdout
