"""Import coupons: every row is written in one transaction, or none is.

The rows arrive validated (:mod:`..web.coupon_csv`); a code taken between the
check and the write (another admin, the API) raises :class:`DuplicateCode`
and rolls the whole file back. Each coupon gets its history line ("imported",
with its CSV line) and its ``coupon.created`` notice; the signals go after
the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import signals
from ..domain.errors import DuplicateCode
from ..events import emit
from ..state import get_state
from ..store import retry
from ..store.models import Coupon, utcnow
from .coupons import insert_coupon
from .serialize import coupon_json


def import_coupons(rows: Sequence[tuple[int, Mapping[str, Any]]], *,
                   actor: str) -> list[Coupon]:
    """Create a coupon per ``(line, values)``; all or nothing."""
    state = get_state()
    session = state.session
    moment = utcnow().replace(microsecond=0)

    def write() -> list[tuple[Coupon, str]]:
        made = [insert_coupon(session, values, actor=actor, moment=moment, action="imported",
                              note={"line": [None, line]}) for line, values in rows]
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise DuplicateCode("in the file") from None
        return made

    made = retry.run(write, rollback=session.rollback, what="import_coupons")
    state.terms_cache.drop(None)
    for coupon, code in made:
        emit(signals.coupon_created, coupon=coupon_json(coupon, code), actor=actor)
    return [coupon for coupon, _code in made]
