"""Lifecycle events (``docs/contracts.md`` §9): the claims of time-based coupon events.

Revision ID: 0007_i13_lifecycle
Revises: 0006_i13_overview
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0007_i13_lifecycle"
down_revision = "0006_i13_overview"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        p("coupon_events"),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("coupon_id", "event_type", "ends_at",
                                name=p("pk_coupon_events")),
    )


def downgrade() -> None:
    op.drop_table(p("coupon_events"))
