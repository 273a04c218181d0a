"""Slack notices in the site's language (``ADVIK_LOCALE``): our words translated, amounts
and counts Babel's, what the customer typed quoted as it came."""

from __future__ import annotations

from hooks.slack import message

BODY = {"type": "coupon.redeemed", "data": {
    "coupon": {"id": 7, "code": "SPRING10"},
    "booking": {"booking_ref": "BK-<42>", "email": "ann@example.com"},
    "amounts": {"discount": "1234.50", "total": "9000.00", "currency": "EUR"}}}


def test_a_redeemed_notice_in_german() -> None:
    text = message(BODY, "https://shop.example/admin", "de")["text"]
    assert text.startswith("*Gutschein SPRING10 eingelöst*\n")
    assert "Buchung *BK-&lt;42&gt;* (ann@example.com)" in text
    assert "Rabatt 1.234,50\xa0€ · Gesamt 9.000,00\xa0€" in text
    assert "<https://shop.example/admin/coupons/7|Gutschein in der Verwaltung öffnen>" in text


def test_expiring_soon_in_spanish_and_english() -> None:
    body = {"type": "coupon.expiring_soon",
            "data": {"coupon": {"id": 1, "code": "X"}, "days_left": 3, "bookings": 1412}}
    assert message(body, "/admin", "es")["text"].startswith(
        "*X caduca dentro de 3 días: 1.412 reservas hasta ahora*")
    assert message(body, "/admin", "en")["text"].startswith(
        "*X expires in 3 days: 1,412 bookings so far*")
