"""The README's settings table is the one ``advik_coupons.settings`` generates."""

from __future__ import annotations

from pathlib import Path

from advik_coupons.settings import SETTINGS, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_as_generated() -> None:
    text = README.read_text(encoding="utf-8")
    assert settings_table() in text, "run: python -m advik_coupons.settings, paste into README"
    for setting in SETTINGS:
        assert f"`{setting.key}`" in text
