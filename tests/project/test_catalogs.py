"""The catalogs are complete (DESIGN §8): what CI checks with ``pybabel extract``.

Every string the code and templates mark (``babel.cfg``; ``N_`` in the domain's
catalog, ``_`` in templates) is in ``messages.pot`` and in each shipped
language's ``.po``, translated, not fuzzy, with the same ``{values}``; a
``.po`` keeps no string the code no longer has. Refresh after changing words:

    pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \\
        -o advik_coupons/translations/messages.pot .
    pybabel update -i advik_coupons/translations/messages.pot -d advik_coupons/translations \\
        --no-location --omit-header --no-fuzzy-matching
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from advik_coupons.web.i18n import CATALOGS

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "advik_coupons" / "translations"
FIELD = re.compile(r"\{(\w*)\}")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """What ``pybabel extract`` finds in the code and templates today."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", "babel.cfg", "-k", "N_", "--no-location", "-o", str(out), "."],
                   cwd=ROOT, check=True, timeout=120)
    found = ids(read(out))
    assert len(found) > 40, "nothing extracted: is babel.cfg right?"
    return found


def test_the_template_is_current(extracted: set[str]) -> None:
    shipped = ids(read(TRANSLATIONS / "messages.pot"))
    assert sorted(extracted - shipped) == [], "strings missing from messages.pot"
    assert sorted(shipped - extracted) == [], "strings in messages.pot the code no longer has"


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_language_is_complete(extracted: set[str], locale: str) -> None:
    catalog = read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert sorted(extracted - ids(catalog)) == [], f"strings missing from {locale}"
    assert sorted(ids(catalog) - extracted) == [], f"obsolete strings in {locale}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        assert isinstance(message.string, str) and message.string.strip(), (
            f"{locale}: empty {message.id!r}")
        assert sorted(FIELD.findall(message.string)) == sorted(FIELD.findall(str(message.id))), (
            f"{locale}: the values of {message.id!r} differ")


def test_english_is_the_words_themselves() -> None:
    catalog = read(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "en")
    assert all(m.string == m.id for m in catalog if m.id)
