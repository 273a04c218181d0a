"""Who may show the admin pages in a frame: nobody, except the WordPress admin that signed in.

This module is the one place of that rule. Every admin answer carries
``Content-Security-Policy: frame-ancestors <value>`` where the value is
:func:`frame_ancestors`:

* ``'none'`` — the default, for every session (no clickjacking of admin forms);
* the WordPress admin's origin (e.g. ``https://example.com``) for a browser
  that came in through WordPress single sign-on (:mod:`.views_sso`): the
  plugin's "Coupons" page in WordPress shows the admin pages in a frame. The
  origin is the ``iss`` of the signed token, kept in the session by
  :func:`allow_framing_by`; a later password log-in starts a fresh session
  and so drops it.

:func:`apply` only owns the ``frame-ancestors`` directive: a policy already on
the answer (other directives set by the app or a host) is kept, and its
``frame-ancestors`` replaced by this rule. A part of the app that builds the
whole policy itself asks :func:`frame_ancestors` for this directive's value.
"""

from __future__ import annotations

from flask import g, request, session
from werkzeug.wrappers import Response

SESSION_KEY = "advik_frame_origin"
HEADER = "Content-Security-Policy"
NONE = "'none'"


def allow_framing_by(origin: str) -> None:
    """Let ``origin`` frame this browser's admin pages from now on (and this answer)."""
    session[SESSION_KEY] = origin
    g.advik_frame_origin = origin


def allow_this_answer(origin: str) -> None:
    """Let ``origin`` frame only the current answer (a refusal shown inside WordPress)."""
    g.advik_frame_origin = origin


def frame_ancestors() -> str:
    """The ``frame-ancestors`` value for the current request."""
    origin = g.get("advik_frame_origin") or session.get(SESSION_KEY)
    return str(origin) if origin else NONE


def apply(response: Response) -> Response:
    """``after_request`` of the admin blueprint: set ``frame-ancestors`` in the policy."""
    if request.endpoint == "advik_admin.static":  # a stylesheet or script is never framed
        return response
    directive = f"frame-ancestors {frame_ancestors()}"
    current = response.headers.get(HEADER, "")
    parts = [p.strip() for p in current.split(";") if p.strip()
             and not p.strip().lower().startswith("frame-ancestors")]
    response.headers[HEADER] = "; ".join([*parts, directive])
    return response
