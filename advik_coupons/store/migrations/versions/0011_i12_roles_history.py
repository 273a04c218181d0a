"""Admin roles and coupon history: ``admin_users.role`` (existing admins become
``owner``) and ``coupon_history``, one row per change to a coupon (who, when,
what, the fields' before → after).

Revision ID: 0011_i12_roles_history
Revises: 0010_i18_admin_sessions
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0011_i12_roles_history"
down_revision = "0010_i18_admin_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table(p("admin_users")) as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False,
                                   server_default="owner"))
    op.create_table(
        p("coupon_history"),
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("changes", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_coupon_history")),
    )
    op.create_index(p("ix_coupon_history_coupon_id_id"), p("coupon_history"),
                    ["coupon_id", "id"])


def downgrade() -> None:
    op.drop_index(p("ix_coupon_history_coupon_id_id"), p("coupon_history"))
    op.drop_table(p("coupon_history"))
    with op.batch_alter_table(p("admin_users")) as batch:
        batch.drop_column("role")
