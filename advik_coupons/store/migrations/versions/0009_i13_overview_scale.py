"""The overview at scale: rollups over whole days and 32-day blocks, and the ledger
saying which bookings used a coupon.

``redemption_spans`` holds the slot rollup's counters per coupon for whole UTC
days (span 96 slots) and 32-day blocks (span 3,072), filled here from the slots
with frozen SQL (the package's ``store/spans.py`` keeps it up to date from now on).
``bookings.with_coupon`` is set by the redeem path's ledger upsert, so "the
average booking without a coupon" is a range scan of one covering index
instead of an anti-join of every booking against the redemptions. The customer
index gains ``status``, so each customer's first confirmed booking is read from
the index alone.

Revision ID: 0009_i13_overview_scale
Revises: 0008_i17_sso_tokens
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.schema import prefixed as p

revision = "0009_i13_overview_scale"
down_revision = "0008_i17_sso_tokens"
branch_labels = None
depends_on = None


SPANS = (3072, 96)
COUNTERS = ("redeemed", "cancelled", "subtotal_cents", "discount_cents")


def upgrade() -> None:
    op.create_table(
        p("redemption_spans"),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("span", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("redeemed", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger, nullable=False),
        sa.Column("discount_cents", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("coupon_id", "span", "start", name=p("pk_redemption_spans")),
    )
    op.create_index(p("ix_redemption_spans_range"), p("redemption_spans"),
                    ["span", "start", "coupon_id", "redeemed", "subtotal_cents",
                     "discount_cents"])
    _fill_spans()
    with op.batch_alter_table(p("bookings")) as batch:
        batch.add_column(sa.Column("with_coupon", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    bookings, redemptions = sa.table(p("bookings"), sa.column("booking_ref"),
                                     sa.column("with_coupon")), sa.table(
        p("redemptions"), sa.column("booking_ref"))
    op.execute(bookings.update().where(sa.exists().where(
        redemptions.c.booking_ref == bookings.c.booking_ref)).values(with_coupon=True))
    op.drop_index(p("ix_bookings_made"), p("bookings"))
    op.create_index(p("ix_bookings_made"), p("bookings"),
                    ["created_at", "status", "with_coupon", "subtotal"])
    op.drop_index(p("ix_bookings_customer"), p("bookings"))
    op.create_index(p("ix_bookings_customer"), p("bookings"),
                    ["status", "email_key", "created_at", "booking_ref"])
    op.drop_index(p("ix_redemptions_ref"), p("redemptions"))
    op.create_index(p("ix_redemptions_ref"), p("redemptions"),
                    ["booking_ref", "status", "coupon_id"])


def _fill_spans() -> None:
    """Each span's rows from the slots, one ``INSERT … SELECT`` per span length."""
    slots = sa.table(p("redemption_buckets"), sa.column("coupon_id"), sa.column("bucket"),
                     *(sa.column(name) for name in COUNTERS))
    spans = sa.table(p("redemption_spans"), sa.column("coupon_id"), sa.column("span"),
                     sa.column("start"), *(sa.column(name) for name in COUNTERS))
    for span in SPANS:
        start = sa.cast(slots.c.bucket // span, sa.Integer).label("start")  # floor division
        op.execute(spans.insert().from_select(
            ["coupon_id", "span", "start", *COUNTERS],
            sa.select(slots.c.coupon_id, sa.literal_column(str(span)), start,
                      *(sa.func.sum(slots.c[name]) for name in COUNTERS))
            .group_by(slots.c.coupon_id, start)))


def downgrade() -> None:
    op.drop_index(p("ix_redemptions_ref"), p("redemptions"))
    op.create_index(p("ix_redemptions_ref"), p("redemptions"), ["booking_ref"])
    op.drop_index(p("ix_bookings_customer"), p("bookings"))
    op.create_index(p("ix_bookings_customer"), p("bookings"), ["email_key", "created_at"])
    op.drop_index(p("ix_bookings_made"), p("bookings"))
    op.create_index(p("ix_bookings_made"), p("bookings"), ["created_at"])
    with op.batch_alter_table(p("bookings")) as batch:
        batch.drop_column("with_coupon")
    op.drop_table(p("redemption_spans"))
