"""Canonical e-mails (docs/contracts.md §7) and allowed-e-mail entries."""

from __future__ import annotations

import pytest

from advik_coupons.domain.emails import canonical_email, matches_entry


@pytest.mark.parametrize("given,key", [
    ("ann@example.com", "ann@example.com"),
    (" Ann@Example.COM ", "ann@example.com"),
    ("ann+spring@example.com", "ann@example.com"),
    ("ann@example.com.", "ann@example.com"),
    ("a.nn@gmail.com", "ann@gmail.com"),
    ("A.N.N+1@GoogleMail.com", "ann@gmail.com"),
    ("a.nn@example.com", "a.nn@example.com"),  # dots count outside Gmail
    ("+only@example.com", "+only@example.com"),  # nothing before the tag: kept whole
])
def test_canonical_form(given: str, key: str) -> None:
    assert canonical_email(given) == key


def test_off_compares_letter_case_only() -> None:
    assert canonical_email("A.nn+1@GMAIL.com", canonical=False) == "a.nn+1@gmail.com"


def test_domain_entries_match_that_domain_exactly() -> None:
    assert matches_entry("ann@example.com", "@example.com")
    assert matches_entry("ann@example.com", "@Example.com.")
    assert not matches_entry("ann@mail.example.com", "@example.com")
    assert not matches_entry("ann@example.com.evil", "@example.com")
    assert matches_entry("ann@gmail.com", "@googlemail.com")


def test_address_entries_match_canonically() -> None:
    assert matches_entry("ann@gmail.com", "A.nn@gmail.com")
    assert not matches_entry("bob@example.com", "ann@example.com")
