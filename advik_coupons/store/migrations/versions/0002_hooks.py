"""Hook endpoints: a webhook or Slack endpoint turned off by ``410 Gone``.

Revision ID: 0002_hooks
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0002_hooks"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        p("hook_endpoints"),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("endpoint_hash", sa.String(64), nullable=False),
        sa.Column("disabled_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=p("pk_hook_endpoints")),
    )


def downgrade() -> None:
    op.drop_table(p("hook_endpoints"))
