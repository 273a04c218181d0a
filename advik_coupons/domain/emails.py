"""E-mail addresses: what counts as one, and the canonical form customers are compared by.

Per-customer limits, audiences and ``allowed_emails`` compare customers by a
canonical e-mail (``docs/contracts.md`` §7): lower-case, a trailing dot of
the domain dropped, a ``+tag`` dropped, and for ``gmail.com`` /
``googlemail.com`` the dots of the local part dropped and the domain read as
``gmail.com`` — so ``A.nn+1@GoogleMail.com.`` is ``ann@gmail.com``. With
canonical comparison off (``ADVIK_EMAIL_CANONICAL=false``) only the letter
case is ignored. The address as the customer typed it is what is stored and shown.
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
MAX_EMAIL_LENGTH = 254
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def is_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL_LENGTH and bool(EMAIL_RE.match(text))


def canonical_domain(domain: str) -> str:
    found = domain.strip().lower().rstrip(".")
    return "gmail.com" if found in GMAIL_DOMAINS else found


def canonical_email(email: str, *, canonical: bool = True) -> str:
    """The key a customer is compared by (see the module's docstring)."""
    text = email.strip().lower()
    if not canonical:
        return text
    local, _, domain = text.rpartition("@")
    domain = canonical_domain(domain)
    untagged = local.split("+", 1)[0] or local
    if domain == "gmail.com":
        untagged = untagged.replace(".", "") or untagged
    return f"{untagged}@{domain}"


def matches_entry(key: str, entry: str) -> bool:
    """Whether a canonical e-mail is allowed by one ``allowed_emails`` entry.

    ``@example.com`` allows that domain exactly (not its subdomains); any other
    entry is an address, compared canonically.
    """
    if entry.startswith("@"):
        return key.rpartition("@")[2] == canonical_domain(entry[1:])
    return key == canonical_email(entry)
