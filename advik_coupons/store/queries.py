"""Loaders shared by the services, the API and the admin pages.

Like the Flask tutorial's ``get_post(id)``, :func:`get_coupon` is the one
check that a coupon exists; it raises the domain's :class:`NotFound`, which
the web layer answers with a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select
from sqlalchemy.orm import Session

from ..domain.errors import NotFound
from ..domain.rules import Terms
from .models import Coupon, CouponCode, LedgerBooking, Redemption


def get_coupon(session: Session, coupon_id: int) -> Coupon:
    """The coupon with this id; :class:`NotFound` when there is none."""
    stmt = select(Coupon).where(Coupon.id == coupon_id).execution_options(
        populate_existing=True)
    coupon = session.execute(stmt).scalar_one_or_none()
    if coupon is None:
        raise NotFound("coupon", coupon_id)
    return coupon


def primary_code(session: Session, coupon_id: int) -> str | None:
    return session.execute(
        select(CouponCode.code).where(CouponCode.coupon_id == coupon_id,
                                      CouponCode.is_primary.is_(True))
    ).scalar_one_or_none()


def primary_codes(session: Session, coupon_ids: list[int]) -> dict[int, str]:
    """Primary codes of many coupons in one query (no query per row)."""
    if not coupon_ids:
        return {}
    rows = session.execute(
        select(CouponCode.coupon_id, CouponCode.code).where(
            CouponCode.coupon_id.in_(coupon_ids), CouponCode.is_primary.is_(True)))
    return {cid: code for cid, code in rows}


_TERMS_COLUMNS = (
    Coupon.id, CouponCode.code, Coupon.discount_type, Coupon.discount_value,
    Coupon.starts_at, Coupon.ends_at, Coupon.audience, Coupon.days_of_week,
    Coupon.max_uses, Coupon.used, Coupon.once_per_customer, Coupon.min_subtotal,
    Coupon.max_subtotal, Coupon.booking_types, Coupon.recurring_scope, Coupon.active,
    Coupon.archived_at, CouponCode.single_use, CouponCode.used_at, CouponCode.id,
)


def _terms_from_row(row: Any) -> Terms:
    (cid, code, dtype, dvalue, starts, ends, audience, days, max_uses, used, once,
     min_sub, max_sub, btypes, scope, active, archived, single, code_used, _code_id) = row
    return Terms(
        coupon_id=int(cid),  # type: ignore[call-overload]
        code=str(code),
        discount_type=str(dtype),
        discount_value=Decimal(dvalue),  # type: ignore[arg-type]
        starts_at=starts,  # type: ignore[arg-type]
        ends_at=ends,  # type: ignore[arg-type]
        audience=str(audience),
        days_of_week=days,  # type: ignore[arg-type]
        max_uses=max_uses,  # type: ignore[arg-type]
        used=int(used),  # type: ignore[call-overload]
        once_per_customer=bool(once),
        min_subtotal=Decimal(min_sub),  # type: ignore[arg-type]
        max_subtotal=Decimal(max_sub),  # type: ignore[arg-type]
        booking_types=btypes,  # type: ignore[arg-type]
        recurring_scope=str(scope),
        active=bool(active),
        archived=archived is not None,
        code_single_use=bool(single),
        code_used=code_used is not None,
    )


@functools.cache
def _terms_query() -> Any:
    """Built once; the code is bound per call."""
    return (select(*_TERMS_COLUMNS).join(Coupon, Coupon.id == CouponCode.coupon_id)
            .where(CouponCode.code == bindparam("code")))


def load_terms(session: Session | Connection, code: str) -> tuple[Terms, int] | None:
    """The terms behind a (normalised) code and the code's row id: one indexed query."""
    row = session.execute(_terms_query(), {"code": code}).first()
    if row is None:
        return None
    return _terms_from_row(row), int(row[-1])


def code_exists(session: Session, code: str) -> bool:
    return bool(session.execute(select(exists().where(CouponCode.code == code))).scalar())


class LedgerHistory:
    """A customer's history from the booking ledger and the redemptions.

    ``lookup`` (``ADVIK_CUSTOMER_LOOKUP``) replaces the ledger for
    "has this customer booked before?".
    """

    def __init__(self, session: Session | Callable[[], Session], coupon_id: int, *,
                 exclude_booking_ref: str | None = None, lookup: object = None) -> None:
        self._session = session
        self.coupon_id = coupon_id
        self.exclude = exclude_booking_ref
        self.lookup = lookup

    @property
    def session(self) -> Session:
        """The session, opened only when a rule asks (most quotes ask nothing)."""
        if not isinstance(self._session, Session):
            self._session = self._session()
        return self._session

    def has_booked_before(self, email: str) -> bool:
        if callable(self.lookup):
            return bool(self.lookup(email))
        stmt = select(exists().where(LedgerBooking.email == email,
                                     LedgerBooking.status == "confirmed"))
        if self.exclude:
            stmt = select(exists().where(LedgerBooking.email == email,
                                         LedgerBooking.status == "confirmed",
                                         LedgerBooking.booking_ref != self.exclude))
        return bool(self.session.execute(stmt).scalar())

    def has_used_coupon(self, email: str) -> bool:
        return bool(self.session.execute(select(exists().where(
            Redemption.coupon_id == self.coupon_id,
            Redemption.email == email,
            Redemption.status == "redeemed",
            Redemption.consumed_use.is_(True),
        ))).scalar())
