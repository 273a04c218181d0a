"""Coupon codes: how they are written, compared and generated.

Codes are ASCII letters, digits, ``-`` and ``_`` (at most 50), stored and
compared upper-case with surrounding white space stripped, so ``summer`` and
``SUMMER`` are one code everywhere. Generated codes are 8 characters drawn
with :mod:`secrets` from an alphabet without look-alikes (no 0/O, no 1/I).
"""

from __future__ import annotations

import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_RE = re.compile(r"^[A-Z0-9_-]{1,50}$")
MAX_CODE_LENGTH = 50
GENERATED_LENGTH = 8
#: First characters a spreadsheet runs as a formula; CSV downloads put ``'`` before a
#: text cell starting with one, so a batch prefix may not start with one (its codes
#: would export as ``'-X-…`` and no longer match when typed).
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def normalize_code(raw: str) -> str:
    """Surrounding white space stripped, upper-case: how codes are stored and compared."""
    return raw.strip().upper()


def is_valid_code(code: str) -> bool:
    return bool(CODE_RE.match(code))


def random_code(length: int = GENERATED_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
