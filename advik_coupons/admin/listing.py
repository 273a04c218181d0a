"""The coupon list's query: search, status filter (as SQL), sort and paging.

Every condition is plain SQL over indexed columns, the page is one query,
the total one ``COUNT`` and the primary codes one more — never a query per row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..domain.codes import is_valid_code, normalize_code
from ..store.dialects import like_ignoring_case
from ..store.models import Coupon, CouponCode

STATUSES = ("active", "inactive", "scheduled", "expired", "used_up", "archived")
SORTS = {"created": "Newest first", "code": "Code (A–Z)", "used": "Most used"}
MAX_QUERY = 120
MAX_MATCHES = 5000


def status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    """The SQL twin of :func:`advik_coupons.services.serialize.coupon_status`."""
    live = and_(Coupon.archived_at.is_(None), Coupon.active.is_(True))
    started = Coupon.starts_at <= now
    not_ended = or_(Coupon.ends_at.is_(None), Coupon.ends_at >= now)
    has_uses = or_(Coupon.max_uses.is_(None), Coupon.used < Coupon.max_uses)
    conditions: dict[str, ColumnElement[bool]] = {
        "archived": Coupon.archived_at.is_not(None),
        "inactive": and_(Coupon.archived_at.is_(None), Coupon.active.is_(False)),
        "scheduled": and_(live, Coupon.starts_at > now),
        "expired": and_(live, started, Coupon.ends_at.is_not(None), Coupon.ends_at < now),
        "used_up": and_(live, started, not_ended, Coupon.max_uses.is_not(None),
                        Coupon.used >= Coupon.max_uses),
        "active": and_(live, started, not_ended, has_uses),
    }
    return conditions[status]


def _code_range(query: str) -> tuple[str, str] | None:
    """Codes starting with ``query`` as an index range (codes are stored upper-case)."""
    code = normalize_code(query)
    if not is_valid_code(code):  # nothing else can start a code (and U+10FFFF has no next)
        return None
    return code, code[:-1] + chr(ord(code[-1]) + 1)


def search_condition(session: Session, query: str) -> ColumnElement[bool]:
    """Name contains the words, or a code (primary or batch) starts with them.

    Both are looked up first — codes over the unique code index, names with one
    scan — so a search that matches few coupons (the usual case) becomes a short
    ``IN`` list that the count and the page read by primary key. Only a search
    matching more than :data:`MAX_MATCHES` names keeps the ``LIKE`` in the list query.
    """
    text = query.strip()[:MAX_QUERY]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name_match = like_ignoring_case(Coupon.name, f"%{escaped}%", session.get_bind().dialect.name)
    ids: set[int] = set()
    bounds = _code_range(text)
    if bounds is not None:
        ids.update(session.execute(
            select(CouponCode.coupon_id).where(CouponCode.code >= bounds[0],
                                               CouponCode.code < bounds[1])
            .distinct().limit(MAX_MATCHES)).scalars())
    named = list(session.execute(select(Coupon.id).where(name_match)
                                 .limit(MAX_MATCHES + 1)).scalars())
    if len(named) > MAX_MATCHES:
        return or_(name_match, Coupon.id.in_(sorted(ids))) if ids else name_match
    return Coupon.id.in_(sorted(ids.union(named)))


def filtered(session: Session, *, query: str, status: str, now: datetime) -> Select[Any]:
    """The list's filters. ``status`` "" shows every coupon that is not archived."""
    stmt = select(Coupon)
    if status in STATUSES:
        stmt = stmt.where(status_condition(status, now))
    else:
        stmt = stmt.where(Coupon.archived_at.is_(None))
    if query.strip():
        stmt = stmt.where(search_condition(session, query))
    return stmt


def sorted_by(stmt: Select[Any], sort: str) -> Select[Any]:
    if sort == "code":
        primary = (select(CouponCode.coupon_id, CouponCode.code)
                   .where(CouponCode.is_primary.is_(True)).subquery())
        # An inner join (every coupon has its primary code) lets the database walk the
        # (is_primary, code) index in order and stop after one page.
        return (stmt.join(primary, primary.c.coupon_id == Coupon.id)
                .order_by(primary.c.code.asc(), Coupon.id.asc()))
    if sort == "used":
        return stmt.order_by(Coupon.used.desc(), Coupon.id.desc())
    return stmt.order_by(Coupon.created_at.desc(), Coupon.id.desc())


def count_rows(session: Session, stmt: Select[Any]) -> int:
    return int(session.execute(stmt.with_only_columns(func.count(Coupon.id))).scalar_one())


def page_rows(session: Session, stmt: Select[Any], offset: int, limit: int) -> list[Coupon]:
    return list(session.execute(stmt.offset(offset).limit(limit)).scalars())
