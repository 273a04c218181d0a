"""Revision 0011_i12_roles_history: existing admins become owners; the history table is
there, empty, and a downgrade takes both away again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from tests.store.test_migration_backfill import (  # noqa: F401  (fixtures)
    _config,
    admin_mysql_url,
    admin_postgres_url,
    migrate,
)
from tests.store.test_migration_backfill import engine as engine  # noqa: F401  (a fixture)
from tests.store.test_migration_backfill import prefix as prefix  # noqa: F401  (a fixture)


def test_existing_admins_become_owners(engine: Engine, prefix: str) -> None:
    migrate(engine, "0010_i18_admin_sessions")
    admins = sa.table(prefix + "admin_users", sa.column("email", sa.String),
                      sa.column("password_hash", sa.String),
                      sa.column("failed_logins", sa.Integer),
                      sa.column("created_at", sa.DateTime))
    with engine.begin() as connection:
        connection.execute(admins.insert(), [
            {"email": "first@example.com", "password_hash": "x", "failed_logins": 0,
             "created_at": datetime(2025, 1, 1)}])
    migrate(engine, "0011_i12_roles_history")
    with engine.connect() as connection:
        roles = connection.execute(sa.text(
            f"SELECT email, role FROM {prefix}admin_users")).all()
        lines = connection.execute(sa.text(
            f"SELECT COUNT(*) FROM {prefix}coupon_history")).scalar_one()
    assert [tuple(r) for r in roles] == [("first@example.com", "owner")]
    assert lines == 0
    with engine.connect() as connection:
        command.downgrade(_config(connection), "0010_i18_admin_sessions")
        connection.commit()
    inspector = sa.inspect(engine)
    assert prefix + "coupon_history" not in inspector.get_table_names()
    assert "role" not in {c["name"] for c in inspector.get_columns(prefix + "admin_users")}
