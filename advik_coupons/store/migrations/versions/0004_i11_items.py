"""What is booked (``docs/contracts.md`` §7): coupon targeting and guards, booking lines,
customers compared by canonical e-mail, bound batch codes, series terms.

Adds the coupon's new terms, a batch code's customer, and on redemptions the
canonical e-mail, the booking's time and lines and the terms it was priced with;
the ledger gets the canonical e-mail too. Existing e-mails are given their
canonical key here (a frozen copy of the rule, so this revision keeps doing
what it did when it shipped).

Revision ID: 0004_i11_items
Revises: 0003_merge
"""

import sqlalchemy as sa
from alembic import op

from advik_coupons.store.schema import prefixed as p

revision = "0004_i11_items"
down_revision = "0003_merge"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
COUPON_TEXTS = ("services", "exclude_services", "staff", "locations", "hours",
                "allowed_emails")
COUPON_COUNTS = ("uses_per_customer", "audience_days", "audience_min_bookings",
                 "recurring_occurrences")


def canonical(email: str) -> str:
    """The canonical e-mail as of this revision."""
    text = email.strip().lower()
    local, _, domain = text.rpartition("@")
    domain = domain.rstrip(".")
    if domain == "googlemail.com":
        domain = "gmail.com"
    local = local.split("+", 1)[0] or local
    if domain == "gmail.com":
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def _backfill(table: str) -> None:
    t = sa.table(p(table), sa.column("email", sa.String), sa.column("email_key", sa.String))
    bind = op.get_bind()
    emails = [row[0] for row in bind.execute(
        sa.select(t.c.email).where(t.c.email.is_not(None)).distinct())]
    for email in emails:
        bind.execute(t.update().where(t.c.email == email).values(email_key=canonical(email)))


def upgrade() -> None:
    for name in COUPON_TEXTS:
        op.add_column(p("coupons"), sa.Column(name, sa.Text, nullable=True))
    op.add_column(p("coupons"), sa.Column("max_discount", MONEY, nullable=True))
    for name in COUPON_COUNTS:
        op.add_column(p("coupons"), sa.Column(name, sa.Integer, nullable=True))
    op.add_column(p("coupons"), sa.Column("combinable", sa.Boolean, nullable=False,
                                          server_default=sa.false()))
    op.add_column(p("coupon_codes"), sa.Column("email_key", sa.String(254), nullable=True))

    op.add_column(p("redemptions"), sa.Column("email_key", sa.String(254), nullable=True))
    op.add_column(p("redemptions"), sa.Column("booking_time", sa.Time, nullable=True))
    op.add_column(p("redemptions"), sa.Column("items", sa.Text, nullable=True))
    op.add_column(p("redemptions"), sa.Column("kept_terms", sa.Text, nullable=True))
    op.add_column(p("bookings"), sa.Column("email_key", sa.String(254), nullable=True))
    _backfill("redemptions")
    _backfill("bookings")
    op.drop_index(p("ix_redemptions_email"), p("redemptions"))
    op.create_index(p("ix_redemptions_email_key"), p("redemptions"), ["coupon_id", "email_key"])
    op.create_index(p("ix_redemptions_ref"), p("redemptions"), ["booking_ref"])
    op.drop_index(p("ix_bookings_email"), p("bookings"))
    op.create_index(p("ix_bookings_email_key"), p("bookings"), ["email_key"])


def downgrade() -> None:
    op.drop_index(p("ix_bookings_email_key"), p("bookings"))
    op.create_index(p("ix_bookings_email"), p("bookings"), ["email"])
    op.drop_index(p("ix_redemptions_ref"), p("redemptions"))
    op.drop_index(p("ix_redemptions_email_key"), p("redemptions"))
    op.create_index(p("ix_redemptions_email"), p("redemptions"), ["coupon_id", "email"])
    for table, names in (("bookings", ("email_key",)),
                         ("redemptions", ("kept_terms", "items", "booking_time", "email_key")),
                         ("coupon_codes", ("email_key",)),
                         ("coupons", ("combinable", *COUPON_COUNTS, "max_discount",
                                      *COUPON_TEXTS))):
        with op.batch_alter_table(p(table)) as batch:
            for name in names:
                batch.drop_column(name)
