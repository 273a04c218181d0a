"""Admin pages: the tracking rollup (redemptions per coupon and 15-minute slot)
and indexes for the coupon list's filters and sorts.

Revision ID: 0002_admin
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.schema import prefixed as p

revision = "0002_admin"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

SLOT_SECONDS = 900  # the rollup's 15-minute UTC slots


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
    _backfill()  # redemptions made before this revision


def _backfill() -> None:
    """Fill the rollup from the existing redemptions, in one ``INSERT … SELECT``.

    Written out here rather than calling ``advik_coupons.store.tracking`` so this revision
    keeps doing what it did when it shipped. One row per coupon and slot: the slot is
    whole 15-minute periods since 1970-01-01 of ``created_at`` (stored as naive UTC);
    ``redeemed`` and the sums in cents count the redemptions not ``cancelled``,
    ``cancelled`` counts the others.
    """
    redemptions = sa.table(
        p("redemptions"),
        sa.column("coupon_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("subtotal", sa.Numeric(12, 2)),
        sa.column("discount", sa.Numeric(12, 2)),
        sa.column("created_at", sa.DateTime),
    )
    buckets = sa.table(
        p("redemption_buckets"),
        sa.column("coupon_id"), sa.column("bucket"), sa.column("redeemed"),
        sa.column("cancelled"), sa.column("subtotal_cents"), sa.column("discount_cents"),
    )
    r = redemptions.c
    dialect = op.get_bind().dialect.name
    if dialect in {"mysql", "mariadb"}:
        seconds = sa.func.timestampdiff(sa.literal_column("SECOND"), "1970-01-01 00:00:00",
                                        r.created_at)
        slot = sa.cast(sa.func.floor(seconds / SLOT_SECONDS), sa.Integer)
    elif dialect == "postgresql":  # a timestamp without time zone: EXTRACT reads it as UTC
        epoch = sa.cast(sa.func.floor(sa.extract("epoch", r.created_at)), sa.BigInteger)
        slot = sa.cast(sa.func.floor(epoch / SLOT_SECONDS), sa.Integer)
    else:  # SQLite
        slot = sa.cast(sa.cast(sa.func.strftime("%s", r.created_at), sa.Integer)
                       / SLOT_SECONDS, sa.Integer)
    bucket = slot.label("bucket")
    live = r.status != "cancelled"

    def cents(column: sa.ColumnElement[object]) -> sa.ColumnElement[int]:
        return sa.cast(sa.func.round(column * 100), sa.BigInteger)

    source = (sa.select(r.coupon_id, bucket,
                        sa.func.sum(sa.case((live, 1), else_=0)),
                        sa.func.sum(sa.case((live, 0), else_=1)),
                        sa.func.sum(sa.case((live, cents(r.subtotal)), else_=0)),
                        sa.func.sum(sa.case((live, cents(r.discount)), else_=0)))
              .group_by(r.coupon_id, bucket))
    op.execute(buckets.insert().from_select(
        ["coupon_id", "bucket", "redeemed", "cancelled", "subtotal_cents", "discount_cents"],
        source))


def downgrade() -> None:
    op.drop_index(p("ix_codes_primary_code"), p("coupon_codes"))
    op.drop_index(p("ix_coupons_used"), p("coupons"))
    op.drop_table(p("redemption_buckets"))
