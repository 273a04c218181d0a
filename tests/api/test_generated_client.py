"""A Python client generated from the OpenAPI document (openapi-python-client) into a
temp folder works against the live server: create a coupon, quote, redeem, cancel,
read its stats."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from advik_coupons.api.openapi import build_document
from tests.conftest import coupon_fields, make_app
from tests.live_server import serving

PACKAGE = "advik_generated_client"


def test_a_generated_client_books_with_a_coupon(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path)
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(build_document(app)))
    tool = Path(sys.executable).with_name("openapi-python-client")
    made = subprocess.run([str(tool), "generate", "--path", str(document), "--output-path",
                           str(tmp_path / PACKAGE), "--meta", "none"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        _use_it(app)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _use_it(app: Any) -> None:
    client_mod, models = _module("client"), _module("models")
    create, quote = _module("api.coupons.create_coupon"), _module("api.bookings.quote")
    redeem, cancel = _module("api.bookings.redeem"), _module("api.bookings.cancel_redemption")
    stats = _module("api.stats.coupon_stats")
    with serving(app) as (url, token):
        client = client_mod.AuthenticatedClient(base_url=url, token=token)
        made = create.sync_detailed(client=client, body=models.CouponCreate.from_dict(
            coupon_fields(code="gen10", min_subtotal="20")))
        assert made.status_code == 201, made.content
        coupon = made.parsed
        assert isinstance(coupon, models.Coupon) and coupon.code == "GEN10"
        priced = quote.sync_detailed(client=client, body=models.QuoteType0.from_dict(
            {"code": "gen10", "subtotal": "120.00"}))
        assert priced.status_code == 200 and isinstance(priced.parsed, models.Applied)
        assert (priced.parsed.discount, priced.parsed.total) == ("12.00", "108.00")
        refused = quote.sync_detailed(client=client, body=models.QuoteType0.from_dict(
            {"code": "gen10", "subtotal": "10.00"}))
        assert refused.status_code == 422 and refused.parsed.reason.value == "below_minimum"
        used = redeem.sync_detailed(client=client, body=models.RedeemType0.from_dict(
            {"code": "gen10", "subtotal": "120.00", "booking_ref": "GEN-1"}))
        assert used.status_code == 201 and isinstance(used.parsed, models.Redemption)
        again = redeem.sync_detailed(client=client, body=models.RedeemType0.from_dict(
            {"code": "gen10", "subtotal": "120.00", "booking_ref": "GEN-1"}))
        assert again.status_code == 200 and again.parsed.id == used.parsed.id
        figures = stats.sync(coupon.id, client=client)
        assert isinstance(figures, models.CouponStats) and figures.bookings == 1
        assert figures.revenue == "108.00"
        released = cancel.sync(used.parsed.id, client=client)
        assert isinstance(released, models.Redemption) and released.status.value == "cancelled"
        after = stats.sync(coupon.id, client=client)
        assert after.bookings == 0 and after.cancelled == 1
