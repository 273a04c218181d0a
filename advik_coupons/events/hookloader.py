"""Loading hook modules at start-up.

Order (each source sorted, so the order is the same on every start):

1. every ``*.py`` file in ``ADVIK_HOOKS_DIR`` (by file name; names starting
   with ``_`` are skipped). Default: the bundled ``hooks/`` folder
   (``webhook.py``, ``slack.py``); an empty string turns the folder off;
2. the modules named in ``ADVIK_HOOKS`` (comma-separated, in the order given;
   ``package.module`` or ``package.module:function``);
3. the entry points of the group ``advik_coupons.hooks`` (by entry-point name);
   an entry point names a module or a ``register`` function.

A hook module defines ``register(app, state) -> None``, called once for every
app the extension is set up on; it connects receivers
(``events.connect(signals.coupon_redeemed, handler, app)``) and may add
outbox channels (``events.add_channel(state, Channel(...))``). A module may
instead connect at import time; it is imported once per process, so such
receivers see every app's events.

Receivers stay connected: blinker holds receivers weakly by default, so the
loader keeps a strong reference to every receiver a module connects (for the
app's lifetime, or the process's for import-time connections).

A module that fails to import, or whose ``register`` raises or does not return
within ``ADVIK_HOOK_REGISTER_SECONDS`` (it runs in a thread of its own; a hung
one is left behind, and what it connects afterwards is disconnected), is
logged by name and skipped: the app starts without it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask

from ..resources import resource_dir
from ..signals import ALL_SIGNALS
from ..state import AppState

log = logging.getLogger("advik_coupons.hooks")

ENTRY_POINT_GROUP = "advik_coupons.hooks"
REGISTER_SECONDS = 10.0
_REGISTERING = threading.Lock()
_import_time_refs: list[Any] = []


def hooks_dir(app: Flask) -> Path | None:
    value = app.config.get("ADVIK_HOOKS_DIR")
    if value is None:
        return resource_dir("hooks")
    return Path(str(value)) if str(value).strip() else None


def _file_module(path: Path) -> ModuleType:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"advik_coupons_hook_{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _named(name: str) -> Any:
    module_name, _, attr = name.partition(":")
    found: Any = import_module(module_name)
    return getattr(found, attr) if attr else found


def _sources(app: Flask) -> list[tuple[str, Callable[[], Any]]]:
    found: list[tuple[str, Callable[[], Any]]] = []
    folder = hooks_dir(app)
    if folder is not None:
        if folder.is_dir():
            for path in sorted(folder.glob("*.py")):
                if not path.name.startswith("_"):
                    found.append((str(path), lambda p=path: _file_module(p)))  # type: ignore[misc]
        else:
            log.error("ADVIK_HOOKS_DIR %s is not a folder; no hooks loaded from it", folder)
    for raw in str(app.config.get("ADVIK_HOOKS") or "").split(","):
        name = raw.strip()
        if name:
            found.append((name, lambda n=name: _named(n)))  # type: ignore[misc]
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        found.append((f"entry point {ep.name} ({ep.value})", ep.load))
    return found


@contextmanager
def _keeping(into: list[Any], given_up: threading.Event | None = None) -> Iterator[None]:
    """Keep a strong reference to every receiver connected to our signals meanwhile.

    Uses blinker's ``receiver_connected``, which hands over the receiver itself
    while ``connect`` runs, before a weakly connected closure can be collected.
    Once ``given_up`` is set (a ``register()`` past its time limit) a receiver it
    connects is disconnected again instead: the app runs without that module.
    """

    def keep(signal: Any, *, receiver: Any, sender: Any = None, **_kw: Any) -> None:
        if given_up is not None and given_up.is_set():
            signal.disconnect(receiver, sender)
            return
        into.append(receiver)

    for sig in ALL_SIGNALS:
        sig.receiver_connected.connect(keep, weak=False)
    try:
        yield
    finally:
        for sig in ALL_SIGNALS:
            sig.receiver_connected.disconnect(keep)


def _register_in_time(app: Flask, state: AppState, label: str,
                      register: Callable[..., Any]) -> bool:
    """Run ``register(app, state)`` in a thread, at most ``ADVIK_HOOK_REGISTER_SECONDS``.

    True when it returned in time; a ``register()`` that raises or hangs is
    logged by the module's name and the app starts without it.
    """
    limit = float(app.config.get("ADVIK_HOOK_REGISTER_SECONDS") or REGISTER_SECONDS)
    given_up = threading.Event()
    failed: list[BaseException] = []
    connected: list[Any] = []

    def call() -> None:
        try:
            with _keeping(connected, given_up):
                register(app, state)
        except BaseException as exc:  # noqa: BLE001 - reported by the loader, by name
            failed.append(exc)

    worker = threading.Thread(target=call, name=f"advik-hook-register {label}", daemon=True)
    with _REGISTERING:  # one register() at a time: _keeping watches every signal
        worker.start()
        worker.join(limit)
        if worker.is_alive():
            given_up.set()
            _disconnect(connected)
            log.error("hook module %s: register() did not finish in %.1f s; the app starts "
                      "without it", label, limit)
            return False
    if failed:
        _disconnect(connected)
        log.error("hook module %s: register() raised; the app starts without it", label,
                  exc_info=failed[0])
        return False
    state.hook_receivers.extend(connected)
    return True


def _disconnect(receivers: list[Any]) -> None:
    for sig in ALL_SIGNALS:
        for receiver in receivers:
            sig.disconnect(receiver)


def load_hooks(app: Flask, state: AppState) -> list[str]:
    """Load every hook module for ``app``; returns the names that loaded."""
    loaded: list[str] = []
    for label, load in _sources(app):
        try:
            with _keeping(_import_time_refs):
                target = load()
        except Exception:
            log.exception("hook module %s failed to import; the app starts without it", label)
            continue
        register = target if not isinstance(target, ModuleType) else getattr(
            target, "register", None)
        if callable(register) and not _register_in_time(app, state, label, register):
            continue
        loaded.append(label)
        log.info("hook module %s loaded", label)
    state.hooks_loaded[:] = loaded
    return loaded
