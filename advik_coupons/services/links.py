"""Links that apply a code: ``/coupons/go/<CODE>`` counted as "link opened".

Opening a link never says whether its code exists: an unknown code is
counted too (under no coupon) and remembered the same way; the payment step
then applies the remembered code and shows its answer like a typed one.
"""

from __future__ import annotations

from ..domain.codes import is_valid_code, normalize_code
from ..state import get_state
from .context import site_today
from .quoting import cached_terms

LINK_OPENED = "link_opened"
#: The cookie a campaign link sets (HttpOnly: the page's scripts never read it), and for how long.
LINK_COOKIE = "advik_coupon"
LINK_DAYS = 7


def open_link(raw: str) -> str | None:
    """Count one opened link; the code to remember, or None when it cannot be a code."""
    state = get_state()
    code = normalize_code(raw)
    if not is_valid_code(code):
        state.funnel.count(None, site_today(state), LINK_OPENED)
        return None
    terms = cached_terms(state, code)
    state.funnel.count(terms.coupon_id if terms else None, site_today(state), LINK_OPENED)
    return code
