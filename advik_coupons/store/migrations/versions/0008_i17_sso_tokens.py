"""WordPress single sign-on: the ids of tokens already used, so each works once.

Revision ID: 0008_i17_sso_tokens
Revises: 0007_i13_lifecycle
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0008_i17_sso_tokens"
down_revision = "0007_i13_lifecycle"
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
