"""Hook modules: the folder, ADVIK_HOOKS, then entry points; a broken one is skipped."""

from __future__ import annotations

import logging
import sys
import textwrap
from pathlib import Path

import pytest

from advik_coupons.resources import resource_dir
from advik_coupons.state import get_state
from tests.conftest import make_app

RECORDING = """
def register(app, state):
    app.config.setdefault("TEST_ORDER", []).append({name!r})
"""


def write_module(folder: Path, filename: str, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_text(textwrap.dedent(RECORDING.format(name=name)))


def install_entry_point(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small distribution exposing ``advik_coupons.hooks`` = ``ep_hook_pkg``."""
    write_module(site / "ep_hook_pkg", "__init__.py", "entry-point")
    info = site / "ep_hook_pkg-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-hook-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[advik_coupons.hooks]\nrecorder = ep_hook_pkg\n")
    (info / "RECORD").write_text("")
    monkeypatch.syspath_prepend(str(site))


def test_order_folder_then_setting_then_entry_points(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "hooks"
    write_module(folder, "b_second.py", "folder:b")
    write_module(folder, "a_first.py", "folder:a")
    write_module(folder, "_private.py", "never")
    write_module(tmp_path / "site", "named_hook_mod.py", "setting")
    install_entry_point(tmp_path / "site", monkeypatch)
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=str(folder),
                   ADVIK_HOOKS="named_hook_mod")
    with app.app_context():
        assert app.config["TEST_ORDER"] == ["folder:a", "folder:b", "setting", "entry-point"]
    sys.modules.pop("named_hook_mod", None)
    sys.modules.pop("ep_hook_pkg", None)


def test_a_broken_module_is_logged_by_name_and_skipped(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "hooks"
    folder.mkdir()
    (folder / "broken_hook.py").write_text("import no_such_module_anywhere\n")
    (folder / "raises_hook.py").write_text("def register(app, state):\n    raise KeyError(1)\n")
    write_module(folder, "z_fine.py", "fine")
    with caplog.at_level(logging.ERROR, logger="advik_coupons.hooks"):
        app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=str(folder),
                       ADVIK_HOOKS="no_such_hook_package.mod")
    logged = caplog.text
    assert "broken_hook.py" in logged and "raises_hook.py" in logged
    assert "no_such_hook_package.mod" in logged
    with app.app_context():
        assert app.config["TEST_ORDER"] == ["fine"]
        assert [Path(n).name for n in get_state().hooks_loaded] == ["z_fine.py"]
    assert app.test_client().get("/healthz").status_code == 200


def test_the_bundled_folder_is_the_default_and_empty_turns_it_off(
        sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=None)
    with app.app_context():
        loaded = [Path(n).name for n in get_state().hooks_loaded]
        assert {"webhook.py", "slack.py"} <= set(loaded)
        assert get_state().channels == []  # no URL set: they do nothing
    assert (resource_dir("hooks") / "webhook.py").is_file()
    off = make_app(sqlite_url, tmp_path / "off", ADVIK_HOOKS_DIR="")
    with off.app_context():
        assert get_state().hooks_loaded == []
