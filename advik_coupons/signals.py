"""Action hooks: blinker signals with WordPress-style names.

Every signal is sent with the Flask app as sender. Signals about stored
changes are sent after the commit, never inside the transaction. Connect
with ``coupon_redeemed.connect(handler, weak=False)`` (or the hooks loader,
which keeps strong references) so a closure is not garbage-collected.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A code applied at the payment step (a quote). Not stored.
#: kwargs: ``coupon`` (dict, the coupon as the API shows it), ``code`` (str),
#: ``booking`` (:class:`~advik_coupons.domain.rules.Booking`), ``price``
#: (:class:`~advik_coupons.domain.money.Price`).
coupon_applied = _signals.signal("advik_coupon_applied")

#: A code that did not apply. kwargs: ``code`` (str, as typed, normalised),
#: ``reason`` (the reason code), ``message`` (str), ``booking``, ``coupon_id``
#: (int or None when the code matches no coupon).
coupon_rejected = _signals.signal("advik_coupon_rejected")

#: A redemption committed. kwargs: ``coupon`` (dict), ``redemption`` (dict, as
#: the API shows it), ``booking`` (:class:`~advik_coupons.domain.rules.Booking`).
coupon_redeemed = _signals.signal("advik_coupon_redeemed")

#: A redemption cancelled and its use released (after commit). kwargs:
#: ``coupon`` (dict), ``redemption`` (dict).
coupon_released = _signals.signal("advik_coupon_released")

#: A redemption took the coupon's last use (after commit). kwargs: ``coupon`` (dict).
coupon_limit_reached = _signals.signal("advik_coupon_limit_reached")

#: A redemption's booking was amended (rescheduled or repriced) and re-validated (after
#: commit). kwargs: ``coupon`` (dict), ``redemption`` (dict, after the change),
#: ``changes`` (dict of field → [old, new]).
coupon_redemption_amended = _signals.signal("advik_coupon_redemption_amended")

#: An admin or API client created a coupon (after commit). kwargs: ``coupon`` (dict),
#: ``actor`` (str: ``api:<token name>``, ``admin:<email>`` or ``cli``).
coupon_created = _signals.signal("advik_coupon_created")

#: A coupon's terms or state changed (after commit). kwargs: ``coupon`` (dict),
#: ``changes`` (dict of field → [old, new]), ``actor`` (str).
coupon_updated = _signals.signal("advik_coupon_updated")

#: A coupon was deleted, or archived when it has redemptions (after commit).
#: kwargs: ``coupon`` (dict), ``archived`` (bool), ``actor`` (str).
coupon_deleted = _signals.signal("advik_coupon_deleted")

#: A coupon's end passed (sent once per end date, by the outbox worker's scan).
#: kwargs: ``coupon`` (dict).
coupon_expired = _signals.signal("advik_coupon_expired")

#: A coupon ends within ``ADVIK_EXPIRING_SOON_DAYS`` (sent once per end date, by the
#: outbox worker's scan). kwargs: ``coupon`` (dict), ``days_left`` (int).
coupon_expiring_soon = _signals.signal("advik_coupon_expiring_soon")

ALL_SIGNALS = (coupon_applied, coupon_rejected, coupon_redeemed, coupon_released,
               coupon_limit_reached, coupon_redemption_amended, coupon_created,
               coupon_updated, coupon_deleted, coupon_expired, coupon_expiring_soon)
