"""Revision 0004_i11_items gives existing e-mails their canonical key (docs/contracts.md §7)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.store.test_migration_backfill import (  # noqa: F401  (fixtures)
    admin_mysql_url,
    admin_postgres_url,
    fill,
    migrate,
)
from tests.store.test_migration_backfill import engine as engine  # noqa: F401  (a fixture)
from tests.store.test_migration_backfill import prefix as prefix  # noqa: F401  (a fixture)


def test_existing_emails_get_their_canonical_key(engine: Engine, prefix: str) -> None:
    migrate(engine, "0003_merge")
    with engine.begin() as connection:
        fill(connection, prefix)
        redemptions = sa.table(prefix + "redemptions", sa.column("email", sa.String),
                               sa.column("booking_ref", sa.String))
        connection.execute(redemptions.update().where(redemptions.c.booking_ref == "a1")
                           .values(email="a.nn+spring@googlemail.com"))
        bookings = sa.table(prefix + "bookings", sa.column("booking_ref", sa.String),
                            sa.column("email", sa.String), sa.column("status", sa.String),
                            sa.column("created_at", sa.DateTime))
        connection.execute(bookings.insert(), [
            {"booking_ref": "L1", "email": "bob+x@example.com.", "status": "confirmed",
             "created_at": datetime(2024, 5, 1)},
            {"booking_ref": "L2", "email": None, "status": "confirmed",
             "created_at": datetime(2024, 5, 1)}])
    migrate(engine, "heads")
    with engine.connect() as connection:
        keys = dict(connection.execute(sa.text(
            f"SELECT booking_ref, email_key FROM {prefix}redemptions")).all())
        ledger = dict(connection.execute(sa.text(
            f"SELECT booking_ref, email_key FROM {prefix}bookings")).all())
    assert keys["a1"] == "ann@gmail.com"
    assert ledger == {"L1": "bob@example.com", "L2": None}
