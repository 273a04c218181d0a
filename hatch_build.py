"""Compile the gettext catalogs (``.po`` → ``.mo``) when a wheel is built.

The ``.mo`` files are build products, not kept in git: ``pip install .`` (and
``pip install -e .``) runs this hook, so every installed copy serves the
catalogs of the ``.po`` files it was built from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = Path("advik_coupons") / "translations"


def compile_catalogs(root: Path) -> list[Path]:
    """Write each ``<lang>/LC_MESSAGES/messages.mo`` next to its ``.po``; the ``.mo`` paths."""
    written = []
    for po in sorted((root / CATALOGS).glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class CompileCatalogs(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_catalogs(root):
            build_data["force_include"][str(mo)] = str(mo.relative_to(root))
