"""What the demo booking site sells and the demo coupons it seeds.

The catalog is the server's price list: the demo prices every booking from
it, never from what the browser sends. Each demo coupon shows one rule of
the rules (``docs/contracts.md`` §2); :func:`seed_coupons` adds the missing ones and leaves existing
codes alone, so running the demo again changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..domain.booking import Line
from ..domain.coupon import defaults
from ..domain.messages import N_
from ..domain.terms import Window
from ..domain.wording import Percent, Translate, identity, show_value
from ..resources import instance_file_secret
from ..services import accounts
from ..services.coupons import create_coupon
from ..state import get_state
from ..store.models import Coupon, CouponCode
from ..store.queries import code_exists

DEMO_ADMIN_EMAIL = "admin@example.com"
FREQUENCIES: dict[str, str] = {"once": N_("One time"), "weekly": N_("Every week"),
                               "monthly": N_("Every month")}


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    price: Decimal
    blurb: str


CATALOG: tuple[Service, ...] = (
    Service("standard", N_("Standard cleaning (2 h)"), Decimal("60.00"),
            N_("Kitchen, bathroom, floors and dusting.")),
    Service("deep", N_("Deep cleaning (4 h)"), Decimal("140.00"),
            N_("Inside cupboards, behind appliances, limescale.")),
    Service("windows", N_("Window washing"), Decimal("45.00"),
            N_("Inside and out, frames too.")),
    Service("carpet", N_("Carpet shampoo"), Decimal("80.00"),
            N_("Up to three rooms.")),
    Service("laundry", N_("Laundry and ironing"), Decimal("35.00"),
            N_("Two loads, folded.")),
    Service("oven", N_("Oven and fridge add-on"), Decimal("25.00"),
            N_("Degreased and wiped.")),
)
SERVICES: dict[str, Service] = {s.id: s for s in CATALOG}
#: Who cleans ("" lets the company choose) and where the team comes from.
STAFF: dict[str, str] = {"": N_("Whoever is free"), "maria": "Maria", "li": "Li"}
LOCATIONS: dict[str, str] = {"north": N_("North branch"), "south": N_("South branch")}
#: Start times on offer (the site's time zone).
TIMES: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(8, 18) for m in (0, 30))


def lines_of(service_ids: list[str], staff: str | None, location: str) -> tuple[Line, ...]:
    """The booking's lines, priced from the catalog (one per service)."""
    return tuple(Line(service=i, unit_price=SERVICES[i].price, staff=staff or None,
                      location=location) for i in service_ids if i in SERVICES)


def subtotal_of(service_ids: list[str]) -> Decimal:
    """The booking's price from the catalog (unknown ids are ignored by the caller)."""
    return sum((SERVICES[i].price for i in service_ids if i in SERVICES), Decimal("0.00"))


@dataclass(frozen=True)
class DemoCoupon:
    """A demo code, the rule it shows (``{min}``, ``{off}``, ``{pct}``: its minimum and
    discount; ``{ended}`` its end date), and its fields."""

    code: str
    rule: str
    fields: dict[str, Any]

    def values(self) -> dict[str, object]:
        """The rule's values, raw (the page formats them for the customer's language)."""
        fields = self.fields
        percent = fields["discount_type"] == "percent"
        found: dict[str, object] = {"min": fields.get("min_subtotal"),
                                    "off": None if percent else fields["discount_value"],
                                    "pct": Percent(fields["discount_value"]) if percent else None,
                                    "ended": fields["ends_at"].date() if "ends_at" in fields
                                    else None}
        return {k: v for k, v in found.items() if v is not None}


DEMO_COUPONS: tuple[DemoCoupon, ...] = (
    DemoCoupon("SPRING10", N_("{pct} off bookings of {min} or more"),
               {"name": "Spring sale", "discount_type": "percent",
                "discount_value": Decimal("10"), "min_subtotal": Decimal("100")}),
    DemoCoupon("WELCOME15",
               N_("{pct} off for first-time customers (use an e-mail that never booked)"),
               {"name": "Welcome offer", "discount_type": "percent",
                "discount_value": Decimal("15"), "audience": "new"}),
    DemoCoupon("WEEKDAY20", N_("{pct} off Monday to Friday bookings"),
               {"name": "Weekday saver", "discount_type": "percent",
                "discount_value": Decimal("20"),
                "days_of_week": frozenset({"mon", "tue", "wed", "thu", "fri"})}),
    DemoCoupon("SAVE25", N_("{off} off when you spend {min} or more"),
               {"name": "Big booking", "discount_type": "fixed",
                "discount_value": Decimal("25"), "min_subtotal": Decimal("200")}),
    DemoCoupon("FLAT5", N_("{off} off any booking"),
               {"name": "Five off", "discount_type": "fixed", "discount_value": Decimal("5")}),
    DemoCoupon("EVERYVISIT", N_("{pct} off every visit of a weekly or monthly booking"),
               {"name": "Regulars", "discount_type": "percent", "discount_value": Decimal("10"),
                "booking_types": frozenset({"recurring"}), "recurring_scope": "all"}),
    DemoCoupon("ONCE30", N_("{pct} off, once per customer, first 50 bookings only"),
               {"name": "Flash deal", "discount_type": "percent", "discount_value": Decimal("30"),
                "once_per_customer": True, "max_uses": 50}),
    DemoCoupon("DEEP20", N_("{pct} off deep cleaning only (other services at full price)"),
               {"name": "Deep clean week", "discount_type": "percent",
                "discount_value": Decimal("20"), "services": frozenset({"deep"})}),
    DemoCoupon("MARIA15", N_("{pct} off when Maria cleans"),
               {"name": "Maria's regulars", "discount_type": "percent",
                "discount_value": Decimal("15"), "staff": frozenset({"maria"})}),
    DemoCoupon("EARLYBIRD", N_("{pct} off visits starting between 08:00 and 11:00"),
               {"name": "Early bird", "discount_type": "percent",
                "discount_value": Decimal("10"),
                "hours": (Window(time(8, 0), time(11, 0)),)}),
    DemoCoupon("COMEBACK", N_("{pct} off for customers who haven't booked for 60 days (win-back)"),
               {"name": "We miss you", "discount_type": "percent",
                "discount_value": Decimal("25"), "audience": "lapsed", "audience_days": 60}),
    DemoCoupon("STACK5", N_("{off} off; combinable with STACK10 on one booking (through the API)"),
               {"name": "Stack five", "discount_type": "fixed", "discount_value": Decimal("5"),
                "combinable": True}),
    DemoCoupon("STACK10", N_("{pct} off; combinable with STACK5 on one booking (through the API)"),
               {"name": "Stack ten", "discount_type": "percent",
                "discount_value": Decimal("10"), "combinable": True}),
    DemoCoupon("SUMMER2025", N_("Expired on {ended}"),
               {"name": "Summer 2025", "discount_type": "percent",
                "discount_value": Decimal("15"),
                "starts_at": datetime(2025, 6, 1, tzinfo=UTC),
                "ends_at": datetime(2025, 8, 31, 23, 59, 59, tzinfo=UTC)}),
    DemoCoupon("RETIRED", N_("Switched off by an admin: answers like an unknown code"),
               {"name": "Retired offer", "discount_type": "percent",
                "discount_value": Decimal("50"), "active": False}),
)

#: Where the demo's coupons differ from a new coupon's defaults: they all started in 2024.
_DEMO_DEFAULTS: dict[str, Any] = {**defaults(), "starts_at": datetime(2024, 1, 1, tzinfo=UTC)}


def rule_text(demo: DemoCoupon, currency: str, locale: str = "en",
              translate: Translate = identity) -> str:
    """The rule a demo code shows, in ``locale`` (its amounts in the site's currency)."""
    shown = {k: show_value(v, locale, currency) for k, v in demo.values().items()}
    return translate(demo.rule).format(**shown)


def seed_coupons() -> list[str]:
    """Create the demo coupons that do not exist yet; the codes created."""
    session = get_state().session
    created = []
    for demo in DEMO_COUPONS:
        if code_exists(session, demo.code):
            continue
        create_coupon({**_DEMO_DEFAULTS, **demo.fields, "code": demo.code,
                       "description": rule_text(demo, get_state().currency)}, actor="cli")
        created.append(demo.code)
    return created


def demo_usage() -> dict[str, tuple[int, int | None]]:
    """``used`` and ``max_uses`` of each demo code (one small query)."""
    session = get_state().session
    rows = session.execute(
        select(CouponCode.code, Coupon.used, Coupon.max_uses)
        .join(Coupon, Coupon.id == CouponCode.coupon_id)
        .where(CouponCode.code.in_([d.code for d in DEMO_COUPONS]))).all()
    return {str(code): (int(used), max_uses) for code, used, max_uses in rows}


def demo_admin_password(instance_path: str) -> str:
    """The demo admin's password: made once, kept in the instance folder."""
    return instance_file_secret(instance_path, "demo_admin_password",
                                lambda: secrets.token_urlsafe(12))


def ensure_admin(instance_path: str) -> tuple[str, str]:
    """Create (or reset) the demo admin; its e-mail and password."""
    password = demo_admin_password(instance_path)
    accounts.create_admin(DEMO_ADMIN_EMAIL, password)
    return DEMO_ADMIN_EMAIL, password
