"""Where the templates, static files and bundled hooks are.

In a wheel they sit inside the package (``advik_coupons/templates`` …); in a
source checkout they are the repository's top-level folders.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"the {name}/ folder is missing from the installation")


def instance_file_secret(instance_path: str, name: str, make: Callable[[], str]) -> str:
    """A secret made once and kept (mode 0600) in the instance folder."""
    os.makedirs(instance_path, exist_ok=True)
    path = Path(instance_path) / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = make()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value
