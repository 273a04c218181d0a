"""The apply limit against a hostile client (issue 18 rows 5 and 6).

* IPv6 clients are counted by their /64: one customer's line hands out a whole
  /64, so 90 addresses of one /64 behind a trusted proxy were 90 passes.
* The e-mail limit counts the addresses that tried an e-mail, not the tries:
  30 tries from an attacker's one address must not lock the real customer out.
* A form posted to the apply endpoint from another site is refused (``403``);
  the site's own origin and ``ADVIK_CORS_ORIGINS`` are let through.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import REDIS_URL, make_app

BODY = {"code": "NOPE", "subtotal": "10.00"}
PROXY = "127.0.0.1"


def storages() -> list[Any]:
    return ["memory://", pytest.param(REDIS_URL, marks=pytest.mark.redis)]


def limited(sqlite_url: str, tmp_path: Path, storage: str, **config: Any) -> Flask:
    return make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="5/minute",
                    ADVIK_TRUSTED_PROXIES="1", ADVIK_RATELIMIT_STORAGE_URL=storage, **config)


def post(app: Flask, client_ip: str, **kwargs: Any) -> Any:
    kwargs.setdefault("json", BODY)
    return app.test_client().post("/coupons/apply", environ_base={"REMOTE_ADDR": PROXY},
                                  headers={"X-Forwarded-For": client_ip,
                                           **kwargs.pop("headers", {})}, **kwargs)


def fresh_net() -> str:
    """A /64 of the documentation prefix no earlier run used (Redis keeps counts)."""
    return f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}"


@pytest.mark.parametrize("storage", storages())
def test_ipv6_addresses_of_one_64_share_one_count(sqlite_url: str, tmp_path: Path,
                                                  storage: str) -> None:
    app = limited(sqlite_url, tmp_path, storage)
    net = fresh_net()
    statuses = [post(app, f"{net}:{i:x}::{secrets.randbelow(65536):x}").status_code
                for i in range(90)]
    assert statuses[:5] == [422] * 5
    assert set(statuses[5:]) == {429}
    assert post(app, f"{fresh_net()}::1").status_code == 422  # another /64 is another client


@pytest.mark.parametrize("storage", storages())
def test_ipv4_and_mapped_addresses_are_counted_each(sqlite_url: str, tmp_path: Path,
                                                    storage: str) -> None:
    app = limited(sqlite_url, tmp_path, storage)
    base = f"198.51.{secrets.randbelow(256)}"
    assert all(post(app, f"{base}.{i}").status_code == 422 for i in range(1, 11))


@pytest.mark.parametrize("storage", storages())
def test_an_attacker_cannot_use_up_a_customers_email(sqlite_url: str, tmp_path: Path,
                                                     storage: str) -> None:
    app = limited(sqlite_url, tmp_path, storage)
    email = f"ann-{secrets.token_hex(4)}@example.com"
    attacker = f"203.0.113.{secrets.randbelow(250) + 1}"
    seen = [post(app, attacker, json={**BODY, "email": email}).status_code for _ in range(30)]
    assert seen[:5] == [422] * 5 and set(seen[5:]) == {429}
    customer = f"{fresh_net()}::7"
    assert post(app, customer, json={**BODY, "email": email}).status_code == 422


@pytest.mark.parametrize("storage", storages())
def test_one_email_from_many_addresses_is_still_limited(sqlite_url: str, tmp_path: Path,
                                                        storage: str) -> None:
    app = limited(sqlite_url, tmp_path, storage)
    email = f"spray-{secrets.token_hex(4)}@example.com"
    seen = [post(app, f"{fresh_net()}::1", json={**BODY, "email": email}).status_code
            for _ in range(6)]
    assert seen == [422] * 5 + [429]


def form_post(app: Flask, origin: str | None, host: str = "shop.example") -> Any:
    headers = {"Origin": origin} if origin is not None else {}
    return app.test_client().post(
        "/coupons/apply", data={"code": "NOPE", "subtotal": "10.00"},
        headers=headers, base_url=f"https://{host}")


def test_a_form_posted_from_another_site_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_CORS_ORIGINS="https://partner.example")
    refused = form_post(app, "https://evil.example")
    assert refused.status_code == 403
    assert refused.is_json and refused.json["error"] == "forbidden"
    assert form_post(app, "null").status_code == 403
    assert form_post(app, "https://shop.example").status_code == 422  # the site itself
    assert form_post(app, "https://partner.example").status_code == 422  # allow-listed
    assert form_post(app, None).status_code == 422  # no Origin: not a browser's cross-site post


def test_a_refused_origin_is_not_counted(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="2/minute")
    for _ in range(5):
        assert form_post(app, "https://evil.example").status_code == 403
    assert form_post(app, "https://shop.example").status_code == 422
