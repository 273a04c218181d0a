"""Operational signals: what an operator counts, sent where it happens.

A leaf module (blinker only). Unlike :mod:`advik_coupons.signals` (the hook
catalog, sent after commits on the hook pool), these are sent synchronously
with ``signal.send(...)`` from deep in the store and the workers, so a
metrics module can count them without those layers knowing it exists. With
no receiver connected a send costs one attribute check.
"""

from __future__ import annotations

from blinker import Namespace

_probes = Namespace()

#: A transaction lost to a database conflict and is run again (or gave up).
#: kwargs: ``kind`` (``"deadlock"``, ``"lock wait timeout"``…), ``gave_up`` (bool).
conflict_retried = _probes.signal("advik_conflict_retried")

#: The rate-limit storage (Redis) failed; counts go to process memory for a while.
#: kwargs: ``what`` (``"apply limit"``, ``"admin log-in"``…).
storage_fell_back = _probes.signal("advik_storage_fell_back")

#: The outbox worker tried to send one notice. kwargs: ``channel`` (str), ``result``
#: (``"delivered"``, ``"retry"``, ``"failed"``, ``"disabled"``).
delivery_attempted = _probes.signal("advik_delivery_attempted")
