"""Creating, changing, archiving and restoring coupons, codes and code batches.

Each function writes the coupon's history line (:mod:`..store.history`) in its
own transaction, commits and then sends its signal; a duplicate code raises
:class:`DuplicateCode` (409), whatever its letter case.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import signals
from ..domain.codes import FORMULA_STARTS, is_valid_code, random_code
from ..domain.coupon import BY_NAME, TERM_FIELDS
from ..domain.emails import canonical_email, is_email
from ..domain.errors import Conflict, DuplicateCode, InvalidRequest
from ..events import emit, stage
from ..state import get_state
from ..store import history, retry
from ..store.models import CodeBatch, Coupon, CouponCode, CouponHistory, Redemption, utcnow
from ..store.queries import code_exists, get_coupon, primary_code
from .serialize import coupon_json, field_json

MAX_BATCH = 10_000
#: What a "created" history line always shows; other fields only where they differ
#: from their default.
ALWAYS_SHOWN = frozenset({"code", "name", "discount_type", "discount_value", "starts_at",
                          "active"})


def generate_code(session: Session, prefix: str = "") -> str:
    """A fresh code from the unambiguous alphabet, unused among existing codes."""
    for _ in range(50):
        code = prefix + random_code()
        if not code_exists(session, code):
            return code
    raise RuntimeError("could not find an unused code in 50 draws")


def _commit_codes(session: Session, code: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateCode(code) from None


def insert_coupon(session: Session, values: Mapping[str, Any], *, actor: str,
                  moment: datetime, action: str = "created",
                  note: dict[str, Any] | None = None) -> tuple[Coupon, str]:
    """Add a coupon, its primary code, its history line and its ``coupon.created``
    notice to the open transaction (not committed)."""
    code = values.get("code") or generate_code(session)
    if code_exists(session, code):
        session.rollback()
        raise DuplicateCode(code)
    terms = {k: values[k] for k in TERM_FIELDS if k in values}
    if terms.get("starts_at") is None:
        terms["starts_at"] = moment
    coupon = Coupon(**terms, used=0, created_at=moment, updated_at=moment)
    session.add(coupon)
    session.flush()
    session.add(CouponCode(coupon_id=coupon.id, code=code, is_primary=True,
                           single_use=False, created_at=moment))
    session.flush()
    data = coupon_json(coupon, code)
    history.record(session, coupon.id, actor, action,
                   {**(note or {}), **{k: [None, v] for k, v in data.items()
                                       if k in ALWAYS_SHOWN or (k in BY_NAME and v != field_json(
                                           BY_NAME[k], BY_NAME[k].default))}}, now=moment)
    stage(session, get_state().channels, "coupon.created",
          {"coupon": data, "actor": actor}, coupon_id=coupon.id)
    return coupon, code


def create_coupon(values: Mapping[str, Any], *, actor: str = "api",
                  now: datetime | None = None, action: str = "created",
                  note: dict[str, Any] | None = None) -> Coupon:
    """Create a coupon and its primary code (generated when ``code`` is empty)."""
    state = get_state()
    session = state.session
    moment = (now or utcnow()).replace(microsecond=0)

    def write() -> tuple[Coupon, str]:
        coupon, code = insert_coupon(session, values, actor=actor, moment=moment,
                                     action=action, note=note)
        _commit_codes(session, code)
        return coupon, code

    coupon, code = retry.run(write, rollback=session.rollback, what="create_coupon")
    state.terms_cache.drop(None)  # the new code may be cached as "not found"
    data = coupon_json(coupon, code)
    emit(signals.coupon_created, coupon=data, actor=actor)
    return coupon


def update_coupon(coupon_id: int, values: Mapping[str, Any], *, actor: str = "api") -> Coupon:
    """Change a coupon's terms and, when ``code`` differs, its primary code."""
    state = get_state()
    session = state.session

    def write() -> tuple[Coupon, dict[str, Any], dict[str, list[Any]]]:
        coupon = get_coupon(session, coupon_id)
        if coupon.archived_at is not None:
            raise Conflict("archived")
        before = coupon_json(coupon, primary_code(session, coupon_id))
        for key in TERM_FIELDS:
            if key in values and key != "starts_at":
                setattr(coupon, key, values[key])
        if values.get("starts_at") is not None:
            coupon.starts_at = values["starts_at"]
        coupon.updated_at = utcnow()
        new_code = values.get("code")
        if new_code and new_code != before["code"]:
            if code_exists(session, new_code):
                session.rollback()
                raise DuplicateCode(new_code)
            row = session.execute(select(CouponCode).where(
                CouponCode.coupon_id == coupon_id, CouponCode.is_primary.is_(True))).scalar_one()
            row.code = new_code
        session.flush()
        after = coupon_json(coupon, new_code or before["code"])
        changes = history.field_changes(before, after)
        if changes:
            history.record(session, coupon_id, actor, _edit_action(changes), changes)
            stage(session, state.channels, "coupon.updated",
                  {"coupon": after, "changes": changes, "actor": actor}, coupon_id=coupon_id)
        _commit_codes(session, new_code or str(before["code"]))
        return coupon, after, changes

    coupon, after, changes = retry.run(write, rollback=session.rollback, what="update_coupon")
    state.terms_cache.drop(coupon_id)
    session.rollback()
    if changes:
        emit(signals.coupon_updated, coupon=after, changes=changes, actor=actor)
    return coupon


def _edit_action(changes: Mapping[str, Any]) -> str:
    """``activated`` / ``deactivated`` when only the switch moved, else ``edited``."""
    if set(changes) == {"active"}:
        return "activated" if changes["active"][1] else "deactivated"
    return "edited"


def set_active(coupon_id: int, active: bool, *, actor: str = "api") -> Coupon:
    return update_coupon(coupon_id, {"active": active}, actor=actor)


def restore_coupon(coupon_id: int, *, actor: str = "api") -> Coupon:
    """Bring an archived coupon back, inactive (its codes were kept reserved)."""
    state = get_state()
    session = state.session

    def write() -> Coupon:
        coupon = get_coupon(session, coupon_id)
        if coupon.archived_at is None:
            raise Conflict("not_archived")
        coupon.archived_at = None
        coupon.active = False
        coupon.updated_at = utcnow()
        history.record(session, coupon_id, actor, "restored")
        session.commit()
        return coupon

    coupon = retry.run(write, rollback=session.rollback, what="restore_coupon")
    state.terms_cache.drop(coupon_id)
    return coupon


def duplicate_coupon(coupon_id: int, *, actor: str = "api") -> Coupon:
    """A new coupon with the same terms, a generated code, inactive and unused."""
    session = get_state().session
    source = get_coupon(session, coupon_id)
    code = primary_code(session, coupon_id)
    values = {k: getattr(source, k) for k in TERM_FIELDS}
    values.update(code=None, active=False, name=f"{source.name} (copy)"[:120])
    session.rollback()
    return create_coupon(values, actor=actor, action="duplicated", note={"copy_of": [None, code]})


def delete_coupon(coupon_id: int, *, actor: str = "api", keep: bool = False) -> bool:
    """Delete a coupon, or archive it when it has redemptions (or ``keep`` says so, as
    the list's bulk "Archive" does). Returns ``archived``.

    An archived coupon answers like an inactive one and keeps its codes reserved.
    """
    state = get_state()
    session = state.session

    def write() -> tuple[dict[str, Any], bool]:
        coupon = get_coupon(session, coupon_id)
        data = coupon_json(coupon, primary_code(session, coupon_id))
        has_history = keep or bool(session.execute(
            select(exists().where(Redemption.coupon_id == coupon_id))).scalar())
        if has_history:
            coupon.archived_at = utcnow()
            coupon.active = False
            coupon.updated_at = utcnow()
            history.record(session, coupon_id, actor, "archived")
        else:
            session.execute(delete(CouponHistory).where(CouponHistory.coupon_id == coupon_id))
            session.execute(delete(CouponCode).where(CouponCode.coupon_id == coupon_id))
            session.execute(delete(CodeBatch).where(CodeBatch.coupon_id == coupon_id))
            session.delete(coupon)
        stage(session, state.channels, "coupon.deleted",
              {"coupon": {**data, "archived": has_history}, "archived": has_history,
               "actor": actor}, coupon_id=coupon_id)
        session.commit()
        return data, has_history

    data, has_history = retry.run(write, rollback=session.rollback, what="delete_coupon")
    state.terms_cache.drop(coupon_id)
    data["archived"] = bool(has_history)
    emit(signals.coupon_deleted, coupon=data, archived=bool(has_history), actor=actor)
    return bool(has_history)


def _batch_customers(count: object, emails: object, canonical: bool) -> tuple[int, list[str]]:
    """How many codes, and the customers (canonical e-mails) they are for, if any."""
    errors: dict[str, str] = {}
    keys: list[str] = []
    if emails is not None:
        if count is not None:
            errors["count"] = "Send a count or a list of e-mails, not both."
        elif (not isinstance(emails, list) or not 1 <= len(emails) <= MAX_BATCH
              or not all(isinstance(e, str) for e in emails)):
            errors["emails"] = f"Send a list of 1 to {MAX_BATCH} e-mail addresses."
        else:
            bad = [e for e in emails if not is_email(e.strip())]
            if bad:
                errors["emails"] = f"{bad[0][:70]!r} is not an e-mail address."
            keys = list(dict.fromkeys(canonical_email(e, canonical=canonical) for e in emails))
        number = len(keys)
    elif isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        errors["count"] = f"Must be a whole number from 1 to {MAX_BATCH}."
        number = 0
    else:
        number = count
    if errors:
        raise InvalidRequest(errors)
    return number, keys


def create_batch(coupon_id: int, count: int | None, prefix: str = "",
                 emails: list[str] | None = None, *,
                 actor: str = "api") -> tuple[CodeBatch, list[str]]:
    """Add single-use generated codes (``PREFIX-XXXXXXXX``) to a coupon: ``count`` of
    them, or one per e-mail in ``emails``, each usable only by that customer."""
    state = get_state()
    number, keys = _batch_customers(count, emails, state.canonical_emails)
    prefix = (prefix or "").strip().upper()
    if prefix and (not is_valid_code(prefix) or len(prefix) > 20):
        raise InvalidRequest({"prefix": "Use at most 20 letters, digits, - and _."})
    if prefix[:1] in FORMULA_STARTS:
        raise InvalidRequest({"prefix": "Start the prefix with a letter, a digit or _."})
    session = state.session
    if get_coupon(session, coupon_id).archived_at is not None:
        raise Conflict("archived")
    joiner = prefix + ("-" if prefix and not prefix.endswith(("-", "_")) else "")

    def write() -> tuple[CodeBatch, list[str]]:
        codes = _fresh_codes(session, joiner, number)
        owners: list[str | None] = list(keys) if keys else [None] * number
        batch = CodeBatch(coupon_id=coupon_id, prefix=prefix, count=len(codes))
        session.add(batch)
        session.flush()
        session.add_all([CouponCode(coupon_id=coupon_id, code=c, is_primary=False,
                                    single_use=True, batch_id=batch.id, email_key=owner)
                         for c, owner in zip(codes, owners, strict=True)])
        history.record(session, coupon_id, actor, "batch",
                       {"batch_codes": [None, len(codes)], "batch_prefix": [None, prefix],
                        **({"batch_for_emails": [None, len(keys)]} if keys else {})})
        session.commit()
        return batch, codes

    for _attempt in range(3):
        try:
            batch, codes = retry.run(write, rollback=session.rollback, what="create_batch")
        except IntegrityError:  # a code was taken between the check and the insert
            session.rollback()
            continue
        state.terms_cache.drop(None)
        return batch, codes
    raise RuntimeError("could not store the batch's codes after 3 tries")


def _fresh_codes(session: Session, joiner: str, number: int) -> list[str]:
    """``number`` generated codes that no coupon has yet (drawn again where one is taken)."""
    codes: set[str] = set()
    while len(codes) < number:
        wanted = {joiner + random_code() for _ in range(number - len(codes))} - codes
        taken = set(session.execute(select(CouponCode.code).where(
            CouponCode.code.in_(list(wanted)))).scalars())
        codes |= wanted - taken
    return sorted(codes)


def batch_codes(batch_id: int) -> list[CouponCode]:
    session = get_state().session
    return list(session.execute(select(CouponCode).where(CouponCode.batch_id == batch_id)
                                .order_by(CouponCode.id)).scalars())
