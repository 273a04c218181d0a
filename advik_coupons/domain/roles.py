"""Who may do what in the admin (DESIGN §12): ``owner`` > ``manager`` > ``viewer``.

An owner may do everything (admins, API tokens, deliveries); a manager runs
coupons (create, edit, batches, manual apply, cancel, import); a viewer only
reads. A page asks :func:`allows` with the role it needs.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("owner", "manager", "viewer")
DEFAULT_ROLE = "owner"

#: How the admin pages name each role.
ROLE_LABELS: dict[str, str] = {
    "owner": "Owner (everything, incl. admins, API tokens and deliveries)",
    "manager": "Manager (coupons, batches, manual apply, cancel)",
    "viewer": "Viewer (reads only)",
}

_RANK = {"viewer": 0, "manager": 1, "owner": 2}


def is_role(role: str) -> bool:
    return role in _RANK


def allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what needs ``needed`` (an unknown role may do nothing)."""
    return role in _RANK and _RANK[role] >= _RANK[needed]
