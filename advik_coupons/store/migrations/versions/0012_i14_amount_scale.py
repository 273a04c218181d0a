"""Amounts keep three decimals: every currency's minor unit fits (KWD, BHD, OMR have 3).

Every money column goes from ``NUMERIC(12, 2)`` to ``NUMERIC(13, 3)``: the same
largest amount (ten digits before the point), one decimal more. Widening a
decimal keeps every value as it was on SQLite (the table is copied), MariaDB
and PostgreSQL; going back rounds half-up to two decimals.

Revision ID: 0012_i14_amount_scale
Revises: 0011_i12_roles_history
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.schema import prefixed as p

revision = "0012_i14_amount_scale"
down_revision = "0011_i12_roles_history"
branch_labels = None
depends_on = None

OLD = sa.Numeric(12, 2)
NEW = sa.Numeric(13, 3)
#: (table, column, nullable) of every amount.
COLUMNS = (
    ("coupons", "discount_value", False), ("coupons", "min_subtotal", False),
    ("coupons", "max_subtotal", False), ("coupons", "max_discount", True),
    ("redemptions", "subtotal", False), ("redemptions", "discount", False),
    ("redemptions", "tax", False), ("redemptions", "total", False),
    ("redemptions", "discount_value", False), ("bookings", "subtotal", True),
)


def _alter(old: sa.Numeric, new: sa.Numeric) -> None:
    for table in dict.fromkeys(t for t, _, _ in COLUMNS):
        with op.batch_alter_table(p(table)) as batch:
            for _, column, nullable in (c for c in COLUMNS if c[0] == table):
                batch.alter_column(column, type_=new, existing_type=old,
                                   existing_nullable=nullable)


def upgrade() -> None:
    _alter(OLD, NEW)


def downgrade() -> None:
    for table, column, _ in COLUMNS:
        t = sa.table(p(table), sa.column(column, NEW))
        op.execute(t.update().values({column: sa.func.round(t.c[column], 2)}))
    _alter(NEW, OLD)
