"""The overview across coupons (``docs/contracts.md`` §12): indexes for its queries.

The rollup read by slot range for every coupon at once, and the ledger read
by day and by customer in time order (a customer's first booking).

Revision ID: 0006_i13_overview
Revises: 0005_i15_binary_ids
"""

from alembic import op

from advik_coupons.store.schema import prefixed as p

revision = "0006_i13_overview"
down_revision = "0005_i15_binary_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(p("ix_buckets_range"), p("redemption_buckets"),
                    ["bucket", "coupon_id", "redeemed", "subtotal_cents", "discount_cents"])
    op.create_index(p("ix_bookings_made"), p("bookings"), ["created_at"])
    op.drop_index(p("ix_bookings_email_key"), p("bookings"))
    op.create_index(p("ix_bookings_customer"), p("bookings"), ["email_key", "created_at"])


def downgrade() -> None:
    op.drop_index(p("ix_bookings_customer"), p("bookings"))
    op.create_index(p("ix_bookings_email_key"), p("bookings"), ["email_key"])
    op.drop_index(p("ix_bookings_made"), p("bookings"))
    op.drop_index(p("ix_buckets_range"), p("redemption_buckets"))
