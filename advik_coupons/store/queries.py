"""Loaders shared by the services, the API and the admin pages.

Like the Flask tutorial's ``get_post(id)``, :func:`get_coupon` is the one
check that a coupon exists; it raises the domain's :class:`NotFound`, which
the web layer answers with a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select
from sqlalchemy.orm import Session

from ..domain.customers import CustomerFacts
from ..domain.errors import NotFound
from ..domain.terms import Terms
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


#: The coupon's columns the rules read, by the name of the :class:`Terms` field.
_COUPON_TERMS = ("discount_type", "discount_value", "starts_at", "ends_at", "audience",
                 "days_of_week", "max_uses", "used", "once_per_customer", "min_subtotal",
                 "max_subtotal", "booking_types", "recurring_scope", "active", "services",
                 "exclude_services", "staff", "locations", "hours", "max_discount",
                 "uses_per_customer", "allowed_emails", "audience_days",
                 "audience_min_bookings", "recurring_occurrences", "combinable")
_TERMS_COLUMNS = (Coupon.id, CouponCode.code, Coupon.archived_at, CouponCode.single_use,
                  CouponCode.used_at, CouponCode.email_key,
                  *(getattr(Coupon, name) for name in _COUPON_TERMS), CouponCode.id)


def _terms_from_row(row: Any) -> Terms:
    cid, code, archived, single, code_used, code_email = row[:6]
    values = dict(zip(_COUPON_TERMS, row[6:-1], strict=True))
    values["combinable"] = bool(values["combinable"])
    values["once_per_customer"] = bool(values["once_per_customer"])
    values["active"] = bool(values["active"])
    return Terms(coupon_id=int(cid), code=str(code), archived=archived is not None,
                 code_single_use=bool(single), code_used=code_used is not None,
                 code_email=code_email, **values)


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


def as_facts(answer: object) -> CustomerFacts:
    """What an ``ADVIK_CUSTOMER_LOOKUP`` answered, as :class:`CustomerFacts`.

    A lookup may answer ``True``/``False`` (has booked before), a
    :class:`CustomerFacts`, or a mapping with ``bookings`` and ``last_booked``.
    """
    if isinstance(answer, CustomerFacts):
        return answer
    if isinstance(answer, Mapping):
        last = answer.get("last_booked")
        return CustomerFacts(bookings=int(answer.get("bookings") or 0),
                             last_booked=last if isinstance(last, date) else None)
    return CustomerFacts(bookings=1 if answer else 0)


class LedgerHistory:
    """A customer's history (by canonical e-mail) from the booking ledger and the redemptions.

    ``lookup`` (``ADVIK_CUSTOMER_LOOKUP``) replaces the ledger for the customer's
    bookings; ``exclude_booking_ref`` leaves the booking being redeemed out, and
    ``exclude_redemption`` the redemption being amended.
    """

    def __init__(self, session: Session | Callable[[], Session], coupon_id: int, *,
                 exclude_booking_ref: str | None = None, exclude_redemption: int | None = None,
                 lookup: object = None) -> None:
        self._session = session
        self.coupon_id = coupon_id
        self.exclude = exclude_booking_ref
        self.exclude_redemption = exclude_redemption
        self.lookup = lookup

    @property
    def session(self) -> Session:
        """The session, opened only when a rule asks (most quotes ask nothing)."""
        if not isinstance(self._session, Session):
            self._session = self._session()
        return self._session

    def facts(self, email: str) -> CustomerFacts:
        if callable(self.lookup):
            return as_facts(self.lookup(email))
        conditions = [LedgerBooking.email_key == email, LedgerBooking.status == "confirmed"]
        if self.exclude:
            conditions.append(LedgerBooking.booking_ref != self.exclude)
        count, last_date, last_made = self.session.execute(
            select(func.count(), func.max(LedgerBooking.booking_date),
                   func.max(LedgerBooking.created_at)).where(*conditions)).one()
        days = [d for d in (last_date, last_made.date() if last_made else None) if d]
        return CustomerFacts(bookings=int(count or 0), last_booked=max(days) if days else None)

    def uses(self, email: str) -> int:
        conditions = [Redemption.coupon_id == self.coupon_id, Redemption.email_key == email,
                      Redemption.status == "redeemed", Redemption.consumed_use.is_(True)]
        if self.exclude_redemption is not None:
            conditions.append(Redemption.id != self.exclude_redemption)
        return int(self.session.execute(
            select(func.count()).select_from(Redemption).where(*conditions)).scalar_one())
