"""The plugin's tables.

They live on their own ``MetaData`` (not on a ``db.Model``), so the same
classes work with the extension's own Flask-SQLAlchemy ``db`` or a host's.
Every table name carries ``ADVIK_TABLE_PREFIX``; :func:`use_table_prefix`
sets it once per process. Times are stored as naive UTC and read back aware.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..domain.booking import BOOKING_TYPES
from ..domain.terms import WEEKDAYS, Window

DEFAULT_PREFIX = "advik_"
_prefix_in_use: list[str] = [DEFAULT_PREFIX]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC in the database, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite raw text from a core query
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StringSet(TypeDecorator[frozenset[str]]):
    """A set of short words stored as ``"mon,tue"`` (in the order of ``order``)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, order: tuple[str, ...]) -> None:
        super().__init__(length)
        self.order = order

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        chosen = set(value.split(",")) if isinstance(value, str) else set(value)
        return ",".join(item for item in self.order if item in chosen)

    def process_result_value(self, value: Any, dialect: Dialect) -> frozenset[str] | None:
        if value is None:
            return None
        return frozenset(part for part in str(value).split(",") if part)


class IdSet(TypeDecorator[frozenset[str]]):
    """A set of the host's ids (no commas in them), stored sorted as ``"a,b"``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        return ",".join(sorted(set(value or ())))

    def process_result_value(self, value: Any, dialect: Dialect) -> frozenset[str]:
        return frozenset(part for part in str(value or "").split(",") if part)


class LineList(TypeDecorator[tuple[str, ...]]):
    """A list of short texts without new lines (e-mail entries), one per line."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        return "\n".join(value or ())

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...]:
        return tuple(part for part in str(value or "").split("\n") if part)


class WindowList(TypeDecorator[tuple[Window, ...]]):
    """Time-of-day windows as JSON ``[{"from": "09:00", "to": "12:00"}]``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        return json.dumps([w.as_json() for w in value or ()])

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Window, ...]:
        return tuple(Window.from_json(w) for w in json.loads(value or "[]"))


class JSONText(TypeDecorator[Any]):
    """A JSON value kept as text (the same on every database)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


#: Every amount, to three decimals: enough for the minor unit of every currency (KWD has 3).
Money = Numeric(13, 3, asdecimal=True)


def ExactString(length: int) -> String:  # noqa: N802 - reads like the type it makes
    """A string compared byte for byte on every database.

    SQLite and PostgreSQL compare strings exactly already; MySQL's and MariaDB's
    default collations ignore letter case and accents, so there the column gets
    ``utf8mb4_bin`` (migration ``0005_i15_binary_ids`` for existing tables).
    """
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Coupon(Base):
    __tablename__ = DEFAULT_PREFIX + "coupons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    discount_type: Mapped[str] = mapped_column(String(10))
    discount_value: Mapped[Decimal] = mapped_column(Money)
    audience: Mapped[str] = mapped_column(String(10), default="all")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    days_of_week: Mapped[frozenset[str]] = mapped_column(StringSet(32, WEEKDAYS),
                                                         default=frozenset())
    max_uses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    once_per_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    min_subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    max_subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    booking_types: Mapped[frozenset[str]] = mapped_column(StringSet(32, BOOKING_TYPES),
                                                          default=frozenset(BOOKING_TYPES))
    recurring_scope: Mapped[str] = mapped_column(String(10), default="first")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
    services: Mapped[frozenset[str]] = mapped_column(IdSet, default=frozenset())
    exclude_services: Mapped[frozenset[str]] = mapped_column(IdSet, default=frozenset())
    staff: Mapped[frozenset[str]] = mapped_column(IdSet, default=frozenset())
    locations: Mapped[frozenset[str]] = mapped_column(IdSet, default=frozenset())
    hours: Mapped[tuple[Window, ...]] = mapped_column(WindowList, default=())
    max_discount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    uses_per_customer: Mapped[int | None] = mapped_column(Integer, nullable=True)
    allowed_emails: Mapped[tuple[str, ...]] = mapped_column(LineList, default=())
    audience_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audience_min_bookings: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recurring_occurrences: Mapped[int | None] = mapped_column(Integer, nullable=True)
    combinable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    codes: Mapped[list[CouponCode]] = relationship(
        back_populates="coupon", order_by="CouponCode.id", lazy="raise_on_sql")

    __table_args__ = (
        Index(None, "active", "archived_at"),
        Index(None, "created_at"),
        Index(None, "name"),
    )


class CodeBatch(Base):
    __tablename__ = DEFAULT_PREFIX + "code_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey(Coupon.__table__.c.id), index=True)
    prefix: Mapped[str] = mapped_column(String(20), default="")
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CouponCode(Base):
    __tablename__ = DEFAULT_PREFIX + "coupon_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey(Coupon.__table__.c.id))
    # Stored upper-case: the unique index makes codes unique in any letter case.
    code: Mapped[str] = mapped_column(ExactString(64), unique=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    single_use: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey(CodeBatch.__table__.c.id), nullable=True)
    #: The customer (canonical e-mail) a batch code was made for; None: anyone.
    email_key: Mapped[str | None] = mapped_column(String(254), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coupon: Mapped[Coupon] = relationship(back_populates="codes", lazy="raise_on_sql")

    __table_args__ = (
        Index(None, "coupon_id", "is_primary"),
        Index(None, "batch_id"),
    )


class Redemption(Base):
    """One booking that used a coupon. Unique per (coupon, booking_ref)."""

    __tablename__ = DEFAULT_PREFIX + "redemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey(Coupon.__table__.c.id))
    code_id: Mapped[int | None] = mapped_column(
        ForeignKey(CouponCode.__table__.c.id), nullable=True)
    code: Mapped[str] = mapped_column(ExactString(64))
    booking_ref: Mapped[str] = mapped_column(ExactString(120))
    series_ref: Mapped[str | None] = mapped_column(ExactString(120), nullable=True)
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    #: As the customer gave it; ``email_key`` is what customers are compared by.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_key: Mapped[str | None] = mapped_column(String(254), nullable=True)
    booking_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    booking_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    booking_type: Mapped[str] = mapped_column(String(10), default="one_time")
    #: The booking's lines with this coupon's discount on each (None: no lines).
    items: Mapped[Any] = mapped_column(JSONText, nullable=True)
    subtotal: Mapped[Decimal] = mapped_column(Money)
    discount: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    # The terms the booking (or its series) started with.
    discount_type: Mapped[str] = mapped_column(String(10))
    discount_value: Mapped[Decimal] = mapped_column(Money)
    recurring_scope: Mapped[str] = mapped_column(String(10), default="first")
    #: The terms it was priced with (``Terms.kept``): a series keeps its first's.
    kept_terms: Mapped[Any] = mapped_column(JSONText, nullable=True)
    consumed_use: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="redeemed")
    source: Mapped[str] = mapped_column(String(10), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("coupon_id", "booking_ref"),
        # Covering index for the tracking page's aggregates over a date range.
        Index(None, "coupon_id", "created_at", "status", "subtotal", "discount"),
        Index(None, "coupon_id", "email_key"),
        Index(None, "coupon_id", "series_ref"),
        Index(None, "booking_ref", "status", "coupon_id"),
    )


class LedgerBooking(Base):
    """The booking ledger: every confirmed booking the host reports."""

    __tablename__ = DEFAULT_PREFIX + "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_ref: Mapped[str] = mapped_column(ExactString(120), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_key: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subtotal: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    booking_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="confirmed")
    #: A coupon was redeemed on it (the redeem path's upsert sets it; never cleared: a
    #: booking whose coupons are all released is cancelled instead).
    with_coupon: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "created_at", "status", "with_coupon", "subtotal"),
        # Each customer's first confirmed booking, and the join back to it, from the index.
        Index(None, "status", "email_key", "created_at", "booking_ref"),
    )


class CouponDailyStat(Base):
    """Cheap funnel counters: one row per (coupon, day, metric), incremented in SQL.

    ``metric`` is ``tried``, ``applied`` or a rejection reason code.
    ``coupon_id`` 0 counts tries of codes that match no coupon.
    """

    __tablename__ = DEFAULT_PREFIX + "coupon_daily_stats"

    coupon_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class RedemptionBucket(Base):
    """The tracking rollup: redemptions per coupon and 15-minute UTC slot.

    Kept in the redeem and cancel transactions (:mod:`advik_coupons.store.tracking`),
    so a coupon's chart and totals over any range read a few thousand rows at
    most, however many redemptions it has. ``bucket`` is whole 15-minute slots
    since 1970-01-01 UTC; the sums, in cents (exact integers on every database),
    are of the redemptions that are not cancelled.
    """

    __tablename__ = DEFAULT_PREFIX + "redemption_buckets"

    coupon_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    redeemed: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        # Every coupon's slots of a range at once (the overview), read from the index alone.
        Index(None, "bucket", "coupon_id", "redeemed", "subtotal_cents", "discount_cents"),
    )


class RedemptionSpan(Base):
    """The rollup over whole spans of slots: UTC days (96) and 32-day blocks (3,072).

    The same counters as :class:`RedemptionBucket`, added to in the same
    transaction (:mod:`advik_coupons.store.spans`); ``start`` is the slot divided
    by ``span``. Long ranges of every coupon (the overview) read these.
    """

    __tablename__ = DEFAULT_PREFIX + "redemption_spans"

    coupon_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    span: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    redeemed: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        Index(None, "span", "start", "coupon_id", "redeemed", "subtotal_cents",
              "discount_cents"),
    )


class CouponEvent(Base):
    """A time-based event already announced for a coupon's end date (``coupon.expired``,
    ``coupon.expiring_soon``): the claim that makes each one go out once, whatever the
    number of workers. A new end date is announced again."""

    __tablename__ = DEFAULT_PREFIX + "coupon_events"

    coupon_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminUser(Base):
    __tablename__ = DEFAULT_PREFIX + "admin_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")


class CouponHistory(Base):
    """One change to a coupon: who (``admin:<e-mail>`` or ``api:<token name>``), when,
    the action, and per changed field ``[before, after]`` (wire values)."""

    __tablename__ = DEFAULT_PREFIX + "coupon_history"
    __table_args__ = (Index(None, "coupon_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminSession(Base):
    """A logged-in admin browser: the cookie carries a random token, this row its SHA-256.

    Deleting the row (log-out, a new password, idle for ``ADVIK_ADMIN_IDLE_MINUTES``)
    makes every copy of the cookie worthless."""

    __tablename__ = DEFAULT_PREFIX + "admin_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AdminLoginCount(Base):
    """A fixed-window count of failed admin log-ins under a hashed key: one per e-mail and
    client address (the lock), or per address (the throttle while Redis is down)."""

    __tablename__ = DEFAULT_PREFIX + "admin_login_counts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True, index=True)
    hits: Mapped[int] = mapped_column(Integer)
    window_ends: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = DEFAULT_PREFIX + "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(ExactString(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboxMessage(Base):
    """A notice waiting to be delivered (webhook, Slack), written with the change."""

    __tablename__ = DEFAULT_PREFIX + "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64))
    coupon_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("event_id", "channel"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "created_at"),
    )


class HookEndpoint(Base):
    """A delivery channel's endpoint turned off by ``410 Gone`` (until an admin retries)."""

    __tablename__ = DEFAULT_PREFIX + "hook_endpoints"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    endpoint_hash: Mapped[str] = mapped_column(String(64))
    disabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(255), default="")


class SsoToken(Base):
    """A WordPress single sign-on token already used: its id, kept until it has expired,
    so a token works once across every worker and host."""

    __tablename__ = DEFAULT_PREFIX + "sso_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def use_table_prefix(prefix: str) -> None:
    """Rename every table to carry ``prefix``. Once per process."""
    current = _prefix_in_use[0]
    if prefix == current:
        return
    if current != DEFAULT_PREFIX:
        raise RuntimeError(
            f"ADVIK_TABLE_PREFIX is already {current!r} in this process; "
            f"one process serves one prefix (asked for {prefix!r})")
    if not prefix.replace("_", "").isalnum() or len(prefix) > 20:
        raise RuntimeError("ADVIK_TABLE_PREFIX must be letters, digits and '_' (at most 20)")
    for table in Base.metadata.tables.values():
        table.name = prefix + table.name[len(DEFAULT_PREFIX):]
        table.fullname = table.name
    renamed = dict(Base.metadata.tables)
    # MetaData.tables is a read-only facade over a dict; re-key it in place.
    dict.clear(Base.metadata.tables)
    dict.update(Base.metadata.tables, {t.name: t for t in renamed.values()})
    _prefix_in_use[0] = prefix


def table_prefix() -> str:
    return _prefix_in_use[0]
