"""Admin sessions kept on the server, and failed log-ins counted in SQL.

``admin_sessions`` holds the SHA-256 of each logged-in browser's session token
(deleted at log-out, on a new password, or when idle); ``admin_login_counts``
the fixed-window counts of failed log-ins per e-mail and address (the lock)
and per address (the throttle while its Redis is down).

Revision ID: 0010_i18_admin_sessions
Revises: 0009_i13_overview_scale
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0010_i18_admin_sessions"
down_revision = "0009_i13_overview_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        p("admin_sessions"),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("admin_id", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_admin_sessions")),
    )
    op.create_index(p("ix_admin_sessions_admin_id"), p("admin_sessions"), ["admin_id"])
    op.create_index(p("ix_admin_sessions_last_seen_at"), p("admin_sessions"), ["last_seen_at"])
    op.create_table(
        p("admin_login_counts"),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("window_ends", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name=p("pk_admin_login_counts")),
    )
    op.create_index(p("ix_admin_login_counts_email"), p("admin_login_counts"), ["email"])
    op.create_index(p("ix_admin_login_counts_window_ends"), p("admin_login_counts"),
                    ["window_ends"])


def downgrade() -> None:
    op.drop_table(p("admin_login_counts"))
    op.drop_table(p("admin_sessions"))
