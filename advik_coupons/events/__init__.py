"""Events: signals sent safely, outbox notices staged and delivered, hook modules loaded.

``from advik_coupons import events`` is the hook author's toolbox:
``events.connect`` (a receiver for one app), ``events.add_channel`` (an
outbox delivery channel), :class:`events.Channel`, :class:`events.Outgoing`,
``events.parse_event_types`` and ``events.wait_for_hooks``.
"""

from ..channels import EVENT_TYPES, Channel, Outgoing, Sender, parse_event_types, subscribed
from .emit import connect, emit, wait_for_hooks
from .outbox import add_channel, event_body, new_event_id, stage

__all__ = [
    "EVENT_TYPES",
    "Channel",
    "Outgoing",
    "Sender",
    "add_channel",
    "connect",
    "emit",
    "event_body",
    "new_event_id",
    "parse_event_types",
    "stage",
    "subscribed",
    "wait_for_hooks",
]
