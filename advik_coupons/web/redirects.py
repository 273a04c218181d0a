"""Where a link may send a browser: only a path on this site, never another host.

Used after an admin logs in (``?next=``) and by the campaign links
(``/coupons/go/<CODE>?next=``). A target is refused when it, or what it
decodes to, names a scheme or a host (``https://evil.example``,
``//evil.example``, ``/\\evil``, ``%2F%2Fevil.example``), holds a backslash or a
control character, or does not start with ``/``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _acceptable(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return False
    parts = urlsplit(text)
    return not (parts.scheme or parts.netloc)


def safe_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None."""
    if not target or len(target) > MAX_LENGTH:
        return None
    decoded = target
    for _ in range(4):  # whatever a browser or a proxy might decode it to
        if not _acceptable(decoded):
            return None
        decoded, before = unquote(decoded), decoded
        if decoded == before:
            return target
    return None
