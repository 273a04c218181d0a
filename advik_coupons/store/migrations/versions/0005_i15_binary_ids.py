"""Identifiers compare byte for byte on MySQL/MariaDB too: the codes, booking and
series references and API token names get the ``utf8mb4_bin`` collation.

Their default collations ignore letter case and accents, so two bookings
``aB3x-9`` and ``AB3X-9`` were one, and a look-alike ``ÉNPCQWQD`` found the code
``ENPCQWQD``. Going from a case-blind collation to a binary one never makes two
stored values collide, so existing rows need no change. SQLite and PostgreSQL
already compare exactly: nothing to do there.

Revision ID: 0005_i15_binary_ids
Revises: 0004_i11_items
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from advik_coupons.store.schema import prefixed as p

revision = "0005_i15_binary_ids"
down_revision = "0004_i11_items"
branch_labels = None
depends_on = None

# (table, column, length, nullable)
COLUMNS = [
    ("coupon_codes", "code", 64, False),
    ("redemptions", "code", 64, False),
    ("redemptions", "booking_ref", 120, False),
    ("redemptions", "series_ref", 120, True),
    ("bookings", "booking_ref", 120, False),
    ("api_tokens", "name", 120, False),
]


def _alter(collation: str | None) -> None:
    if op.get_bind().dialect.name not in {"mysql", "mariadb"}:
        return
    for table, column, length, nullable in COLUMNS:
        op.alter_column(p(table), column, existing_type=sa.String(length),
                        type_=mysql.VARCHAR(length, charset="utf8mb4", collation=collation),
                        existing_nullable=nullable, nullable=nullable)


def upgrade() -> None:
    _alter("utf8mb4_bin")


def downgrade() -> None:
    _alter("utf8mb4_general_ci")
