"""Admin pages: the tracking rollup (redemptions per coupon and 15-minute slot)
and indexes for the coupon list's filters and sorts.

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
    # The list sorted by use, and by code (walks the primary codes in order). No index
    # leads with archived_at: nearly every row matches "IS NULL", and such an index
    # tempts the planner into a lookup per row where a scan is cheaper.
    op.create_index(p("ix_coupons_used"), p("coupons"), ["used"])
    op.create_index(p("ix_codes_primary_code"), p("coupon_codes"), ["is_primary", "code"])
    rebuild_buckets(op.get_bind())  # redemptions made before this revision


def downgrade() -> None:
    op.drop_index(p("ix_codes_primary_code"), p("coupon_codes"))
    op.drop_index(p("ix_coupons_used"), p("coupons"))
    op.drop_table(p("redemption_buckets"))
