"""Reading the owner's lists: ids, e-mail entries and hours, each a clear error if bad.

Pure parsers shared by the coupon form, the JSON API and the booking bodies:
each takes what a person typed (or a JSON list) and returns the clean value,
or raises :class:`ValueError` with a message fit to show beside the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time

from .coupon import ID_RE, MAX_EMAILS, MAX_IDS, MAX_WINDOWS
from .emails import canonical_domain, is_email
from .messages import join_words
from .terms import Window

_SPLIT = re.compile(r"[\s,;]+")
_WINDOW = re.compile(r"^(\d{1,2}:\d{2})\s*(?:-|–|to)\s*(\d{1,2}:\d{2})$")


def words(text: str) -> list[str]:
    """The entries of a typed list (commas, semicolons, spaces or new lines between)."""
    return [part for part in _SPLIT.split(text.strip()) if part]


def read_ids(entries: Iterable[str]) -> frozenset[str]:
    found = [e.strip() for e in entries if e.strip()]
    bad = [e for e in found if not ID_RE.match(e)]
    if bad:
        raise ValueError(f"{bad[0][:70]!r} is not an id: use letters, digits, -, _ and . "
                         "(at most 64).")
    if len(set(found)) > MAX_IDS:
        raise ValueError(f"At most {MAX_IDS} ids.")
    return frozenset(found)


def read_emails(entries: Iterable[str]) -> tuple[str, ...]:
    """Addresses and ``@domain`` entries, lower-cased, in the order given, once each."""
    found: list[str] = []
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry.startswith("@"):
            domain = canonical_domain(entry[1:])
            if not is_email("x@" + domain):
                raise ValueError(f"{raw.strip()[:70]!r} is not a domain like @example.com.")
            entry = "@" + domain
        elif not is_email(entry):
            raise ValueError(f"{raw.strip()[:70]!r} is not an e-mail address or @domain.")
        if entry not in found:
            found.append(entry)
    if len(found) > MAX_EMAILS:
        raise ValueError(f"At most {MAX_EMAILS} entries.")
    return tuple(found)


def read_time(text: str) -> time:
    """``HH:MM`` (00:00 to 23:59) as a time; a :class:`ValueError` otherwise."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"{text.strip()[:20]!r} is not a time like 09:30.")
    return time(int(match.group(1)), int(match.group(2)))


def read_window(start: str, end: str) -> Window:
    begin, finish = read_time(start), read_time(end)
    if not begin < finish:
        raise ValueError(f"{start.strip()}–{end.strip()}: the start must be before the end.")
    return Window(begin, finish)


def read_hours(text: str) -> tuple[Window, ...]:
    """``09:00-12:00, 14:00-17:00`` as windows, sorted."""
    windows = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _WINDOW.match(part)
        if not match:
            raise ValueError(f"{part[:30]!r} is not a window like 09:00-12:00.")
        windows.append(read_window(match.group(1), match.group(2)))
    if len(windows) > MAX_WINDOWS:
        raise ValueError(f"At most {MAX_WINDOWS} windows.")
    return tuple(sorted(set(windows)))


def hours_text(windows: Iterable[Window]) -> str:
    """Windows as the owner types them: ``09:00-12:00, 14:00-17:00``."""
    return ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in windows)


def hours_phrase(windows: Iterable[Window]) -> str:
    """Windows in a sentence: ``09:00–12:00 and 14:00–17:00``."""
    return join_words([f"{w.start:%H:%M}–{w.end:%H:%M}" for w in sorted(windows)])
