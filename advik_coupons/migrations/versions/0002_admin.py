"""Admin pages: the tracking rollup (redemptions per coupon and 15-minute slot)
and an index for sorting the coupon list by use.

Revision ID: 0002_admin
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.schema import prefixed as p
from advik_coupons.tracking import rebuild_buckets

revision = "0002_admin"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        p("redemption_buckets"),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("bucket", sa.Integer, nullable=False),
        sa.Column("redeemed", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger, nullable=False),
        sa.Column("discount_cents", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("coupon_id", "bucket", name=p("pk_redemption_buckets")),
    )
    op.create_index(p("ix_coupons_used"), p("coupons"), ["used"])
    rebuild_buckets(op.get_bind())  # redemptions made before this revision


def downgrade() -> None:
    op.drop_index(p("ix_coupons_used"), p("coupons"))
    op.drop_table(p("redemption_buckets"))
