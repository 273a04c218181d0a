"""Where the templates, static files and bundled hooks are.

In a wheel they sit inside the package (``advik_coupons/templates`` …); in a
source checkout they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"the {name}/ folder is missing from the installation")
