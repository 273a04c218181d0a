"""The initial schema: coupons, codes, batches, redemptions, the booking ledger,
funnel counters, admin users, API tokens and the outbox.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.models import UTCDateTime
from advik_coupons.store.schema import prefixed as p

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table(
        p("coupons"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("discount_type", sa.String(10), nullable=False),
        sa.Column("discount_value", MONEY, nullable=False),
        sa.Column("audience", sa.String(10), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=True),
        sa.Column("days_of_week", sa.String(32), nullable=False),
        sa.Column("max_uses", sa.Integer, nullable=True),
        sa.Column("once_per_customer", sa.Boolean, nullable=False),
        sa.Column("min_subtotal", MONEY, nullable=False),
        sa.Column("max_subtotal", MONEY, nullable=False),
        sa.Column("booking_types", sa.String(32), nullable=False),
        sa.Column("recurring_scope", sa.String(10), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("archived_at", UTCDateTime, nullable=True),
        sa.Column("used", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_coupons")),
    )
    op.create_index(p("ix_coupons_active"), p("coupons"), ["active", "archived_at"])
    op.create_index(p("ix_coupons_created"), p("coupons"), ["created_at"])
    op.create_index(p("ix_coupons_name"), p("coupons"), ["name"])

    op.create_table(
        p("code_batches"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("coupon_id", sa.Integer,
                  sa.ForeignKey(f"{p('coupons')}.id", name=p("fk_batches_coupon")),
                  nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_code_batches")),
    )
    op.create_index(p("ix_batches_coupon"), p("code_batches"), ["coupon_id"])

    op.create_table(
        p("coupon_codes"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("coupon_id", sa.Integer,
                  sa.ForeignKey(f"{p('coupons')}.id", name=p("fk_codes_coupon")),
                  nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.Column("single_use", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer,
                  sa.ForeignKey(f"{p('code_batches')}.id", name=p("fk_codes_batch")),
                  nullable=True),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_coupon_codes")),
        sa.UniqueConstraint("code", name=p("uq_codes_code")),
    )
    op.create_index(p("ix_codes_coupon"), p("coupon_codes"), ["coupon_id", "is_primary"])
    op.create_index(p("ix_codes_batch"), p("coupon_codes"), ["batch_id"])

    op.create_table(
        p("redemptions"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("coupon_id", sa.Integer,
                  sa.ForeignKey(f"{p('coupons')}.id", name=p("fk_redemptions_coupon")),
                  nullable=False),
        sa.Column("code_id", sa.Integer,
                  sa.ForeignKey(f"{p('coupon_codes')}.id", name=p("fk_redemptions_code")),
                  nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("booking_ref", sa.String(120), nullable=False),
        sa.Column("series_ref", sa.String(120), nullable=True),
        sa.Column("occurrence", sa.Integer, nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("booking_date", sa.Date, nullable=True),
        sa.Column("booking_type", sa.String(10), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("discount_type", sa.String(10), nullable=False),
        sa.Column("discount_value", MONEY, nullable=False),
        sa.Column("recurring_scope", sa.String(10), nullable=False),
        sa.Column("consumed_use", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("cancelled_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name=p("pk_redemptions")),
        sa.UniqueConstraint("coupon_id", "booking_ref", name=p("uq_redemptions_booking")),
    )
    op.create_index(p("ix_redemptions_range"), p("redemptions"),
                    ["coupon_id", "created_at", "status", "subtotal", "discount"])
    op.create_index(p("ix_redemptions_email"), p("redemptions"), ["coupon_id", "email"])
    op.create_index(p("ix_redemptions_series"), p("redemptions"), ["coupon_id", "series_ref"])

    op.create_table(
        p("bookings"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("booking_ref", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("subtotal", MONEY, nullable=True),
        sa.Column("booking_date", sa.Date, nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_bookings")),
        sa.UniqueConstraint("booking_ref", name=p("uq_bookings_ref")),
    )
    op.create_index(p("ix_bookings_email"), p("bookings"), ["email"])

    op.create_table(
        p("coupon_daily_stats"),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("coupon_id", "day", "metric", name=p("pk_daily_stats")),
    )

    op.create_table(
        p("admin_users"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=p("pk_admin_users")),
        sa.UniqueConstraint("email", name=p("uq_admin_users_email")),
    )

    op.create_table(
        p("api_tokens"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_used_at", UTCDateTime, nullable=True),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name=p("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=p("uq_api_tokens_hash")),
    )

    op.create_table(
        p("outbox"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("coupon_id", sa.Integer, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_until", UTCDateTime, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name=p("pk_outbox")),
        sa.UniqueConstraint("event_id", "channel", name=p("uq_outbox_event")),
    )
    op.create_index(p("ix_outbox_due"), p("outbox"), ["status", "next_attempt_at"])
    op.create_index(p("ix_outbox_created"), p("outbox"), ["created_at"])


def downgrade() -> None:
    for name in ("outbox", "api_tokens", "admin_users", "coupon_daily_stats", "bookings",
                 "redemptions", "coupon_codes", "code_batches", "coupons"):
        op.drop_table(p(name))
