"""WordPress single sign-on: the ids of tokens already used, so each works once.

It follows both 0005 revisions (the overview's indexes and the binary ids), so the
revisions form one line again after it.

Revision ID: 0006_i17_sso_tokens
Revises: 0005_i13_overview, 0005_i15_binary_ids
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0006_i17_sso_tokens"
down_revision = ("0005_i13_overview", "0005_i15_binary_ids")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        p("sso_tokens"),
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("jti", name=p("pk_sso_tokens")),
    )
    op.create_index(p("ix_sso_tokens_expires_at"), p("sso_tokens"), ["expires_at"])


def downgrade() -> None:
    op.drop_index(p("ix_sso_tokens_expires_at"), p("sso_tokens"))
    op.drop_table(p("sso_tokens"))
