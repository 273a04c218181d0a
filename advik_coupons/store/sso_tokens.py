"""The SQL of WordPress single sign-on: spend a token's id once, forget expired ones.

A token id is written when the token is used; the primary key makes a second
use fail with ``IntegrityError`` on every worker and host, whatever the order.
Rows are kept until their token has expired (a later use would be refused as
expired anyway), then removed by :func:`forget_expired`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from .models import SsoToken


def spend(session: Session, jti: str, expires_at: datetime, now: datetime) -> None:
    """Record ``jti`` as used; raises ``IntegrityError`` when it was used before."""
    session.execute(insert(SsoToken).values(jti=jti, expires_at=expires_at, used_at=now))


def forget_expired(session: Session, before: datetime) -> None:
    """Drop the ids of tokens that expired before ``before``."""
    session.execute(delete(SsoToken).where(SsoToken.expires_at < before)
                    .execution_options(synchronize_session=False))
