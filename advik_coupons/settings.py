"""Every ``ADVIK_*`` setting in one place.

:func:`apply_defaults` is what :meth:`AdvikCoupons.init_app` calls: it fills
each key with ``app.config.setdefault`` so a host's own values always win.
:func:`from_environ` is what :func:`create_app` calls to read the process
environment (``ADVIK_*`` and ``SECRET_KEY``), converting the value to the
default's type.

The README's settings table is generated from :data:`SETTINGS`
(``python -m advik_coupons.settings``) so the two never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ADVIK_DATABASE_URL", None,
            "SQLAlchemy URL of the database. Default: a SQLite file `advik_coupons.sqlite` "
            "in the instance folder. Production: `mysql+pymysql://user:pass@host/db`. "
            "Ignored when the host passes its own Flask-SQLAlchemy `db`."),
    Setting("ADVIK_TABLE_PREFIX", "advik_",
            "Prefix of every table (and of the migrations' version table), so the plugin "
            "can live inside an existing WordPress database. One prefix per process."),
    Setting("ADVIK_TIMEZONE", "UTC",
            "The site's time zone (IANA name): bare dates, days of the week and the "
            "stats' days are read in it."),
    Setting("ADVIK_CURRENCY", "USD", "The site's one currency (ISO 4217 code)."),
    Setting("ADVIK_LOCALE", "en",
            "The language customers and the admin pages get when the request names none "
            "they have a catalog for (`en`, `es`, `fr`, `de`, `pt-BR`); a request's `locale` "
            "and its `Accept-Language` come first."),
    Setting("ADVIK_TAX_RATE", Decimal("0"),
            "Tax as a percentage of the post-discount subtotal, e.g. `8.25`."),
    Setting("ADVIK_QUOTE_CACHE_SECONDS", 3.0,
            "How long a quote may reuse a coupon's terms read by this process "
            "(0 turns the cache off). Redeem never uses it."),
    Setting("ADVIK_FUNNEL_FLUSH_SECONDS", 2.0,
            "How often the funnel counters (tries, applies, reasons) kept in memory are "
            "written to the database (0: at once)."),
    Setting("ADVIK_CUSTOMER_LOOKUP", None,
            "Optional callable (or its dotted `module:name`) given a customer's canonical "
            "e-mail and answering from the host's own store instead of the booking ledger: "
            "`True`/`False` (has booked before) or `{\"bookings\": n, \"last_booked\": "
            "date}` (for the lapsed and loyal audiences)."),
    Setting("ADVIK_EMAIL_CANONICAL", True,
            "Compare customers by canonical e-mail (lower-case, no `+tag`, no trailing dot, "
            "Gmail's dots ignored) for per-customer limits, audiences and allowed e-mails; "
            "off: letter case only."),
    Setting("ADVIK_HOOKS", "",
            "Comma-separated dotted names of extra hook modules to import at start-up."),
    Setting("ADVIK_HOOKS_DIR", None,
            "Folder whose `*.py` hook modules are loaded at start-up. Default: the "
            "bundled `hooks/` folder (webhook and Slack); an empty value loads none."),
    Setting("ADVIK_HOOK_TIMEOUT_SECONDS", 10.0,
            "Time budget of one signal receiver's call; a call over it is abandoned and that "
            "receiver is skipped until it returns (logged at most once a minute)."),
    Setting("ADVIK_HOOK_REGISTER_SECONDS", 10.0,
            "How long a hook module's `register()` may take at start-up; one that takes "
            "longer is logged by name and the app starts without it."),
    Setting("ADVIK_RATELIMIT_STORAGE_URL", "memory://",
            "Where the apply limit and the failed admin log-ins count (a `limits` storage "
            "URL): `memory://` (one process) or `redis://host:6379` (shared by all "
            "workers; one round trip per apply)."),
    Setting("ADVIK_APPLY_RATE_LIMIT", "30/minute",
            "Limit on `POST /coupons/apply` per client address and per e-mail."),
    Setting("ADVIK_TRUSTED_PROXIES", 0,
            "How many proxies in front of the app to trust for `X-Forwarded-For` "
            "(0: use the socket's address)."),
    Setting("ADVIK_CORS_ORIGINS", "",
            "Comma-separated origins allowed to call `/coupons/apply` (and read "
            "`/coupons/widget.json`) from a browser, e.g. the WordPress site's."),
    Setting("ADVIK_WEBHOOK_URL", "", "Where `hooks/webhook.py` posts events (empty: off)."),
    Setting("ADVIK_WEBHOOK_SECRET", "",
            "Standard Webhooks signing secret, `whsec_` + base64 key."),
    Setting("ADVIK_WEBHOOK_EVENTS", "redeemed,released,limit_reached",
            "Which events the webhook receives (a preview is not an event: add `applied` "
            "to get every code applied at the payment step; also `redemption_amended`, "
            "`created`, `updated`, `deleted`, `expired`, `expiring_soon`)."),
    Setting("ADVIK_WEBHOOK_RETRY_BASE_SECONDS", 5.0,
            "First back-off step of webhook retries."),
    Setting("ADVIK_WEBHOOK_TIMEOUT_SECONDS", 12.0,
            "How long one webhook or Slack post may take before it counts as failed."),
    Setting("ADVIK_DELIVERY_LEASE_SECONDS", 60.0,
            "How long a worker holds a claimed notice; if it dies, another worker sends "
            "the notice after this (keep it above the timeout)."),
    Setting("ADVIK_SLACK_WEBHOOK_URL", "", "Slack incoming-webhook URL (empty: off)."),
    Setting("ADVIK_EXPIRING_SOON_DAYS", 3,
            "How many days before a coupon's end `coupon.expiring_soon` is sent (once per "
            "end date)."),
    Setting("ADVIK_LIFECYCLE_SCAN_SECONDS", 60.0,
            "How often an outbox worker looks for coupons that expired or expire soon "
            "(each event is sent once, whatever the number of workers)."),
    Setting("ADVIK_SLACK_EVENTS", "redeemed,limit_reached,expiring_soon",
            "Which events `hooks/slack.py` posts to Slack."),
    Setting("ADVIK_SITE_URL", "",
            "The site's public base URL, e.g. `https://example.com`, for links in "
            "notices (the coupon's admin page in a Slack message)."),
    Setting("ADVIK_ADMIN_AUTHORIZER", None,
            "Optional callable `() -> bool` (or dotted `module:name`) deciding whether "
            "the current request may use the admin pages, for hosts with their own log-in."),
    Setting("ADVIK_ADMIN_MAX_FAILED_LOGINS", 5,
            "Wrong passwords in a row for one e-mail from one client address after which "
            "that e-mail is locked for that address (the owner still logs in from another; "
            "unknown e-mails are counted alike)."),
    Setting("ADVIK_ADMIN_LOCK_MINUTES", 15.0,
            "How long an e-mail stays locked for an address after too many wrong passwords."),
    Setting("ADVIK_ADMIN_IDLE_MINUTES", 60.0,
            "A built-in admin's session ends after this many minutes without a request "
            "(sessions are kept on the server: log-out and a new password end them too)."),
    Setting("ADVIK_ADMIN_LOGIN_RATE_LIMIT", "10/minute",
            "Limit on failed admin log-ins per client address, across all accounts "
            "(counted in `ADVIK_RATELIMIT_STORAGE_URL`); over it the log-in form answers "
            "`429` without checking the password. Empty: off."),
    Setting("ADVIK_WORDPRESS_SSO_SECRET", "",
            "Shared secret of the WordPress plugin's single sign-on (at least 32 "
            "characters; the plugin's SSO secret). Set: a WordPress user who can "
            "`manage_options` opens the admin pages from WordPress's \"Coupons\" menu "
            "without a password, through `<admin prefix>/sso`; empty: off."),
    Setting("ADVIK_URL_PREFIX", "",
            "Prefix of all the plugin's routes when mounted in a host app."),
    Setting("ADVIK_API_PREFIX", "/api/v1", "Prefix of the JSON API."),
    Setting("ADVIK_ADMIN_PREFIX", "/admin", "Prefix of the admin pages."),
    Setting("ADVIK_POOL_RECYCLE", 280,
            "Seconds after which a pooled MySQL connection is replaced (keep below "
            "the server's `wait_timeout`)."),
    Setting("ADVIK_POOL_PRE_PING", False,
            "Ping a pooled MySQL connection before each use (one extra round trip per "
            "request). Off: the recycle above replaces connections before MySQL drops "
            "them; turn it on behind a proxy or firewall that cuts idle connections "
            "sooner."),
    Setting("ADVIK_READY_TIMEOUT_SECONDS", 2.0,
            "How long each check of `/readyz` (the database and its migrations, Redis) may "
            "take before the probe answers `503` naming it."),
    Setting("ADVIK_METRICS_PATH", "",
            "Path of the Prometheus metrics, e.g. `/metrics` (empty: off). With several "
            "gunicorn workers set `PROMETHEUS_MULTIPROC_DIR` to an empty folder first "
            "(docs/operations.md)."),
    Setting("ADVIK_METRICS_TOKEN", "",
            "When set, the metrics answer only `Authorization: Bearer <token>`."),
    Setting("ADVIK_LOG_FORMAT", "text",
            "`json`: one JSON object per log line (time, level, logger, message, request id; "
            "coupon events with their reason code and coupon id), e-mails and tokens cut "
            "short. `text`: the usual lines."),
    Setting("ADVIK_DEMO", False,
            "Serve the demo booking site at `/demo` (`advik-coupons demo` turns it on)."),
    Setting("ADVIK_DELIVERY_THREAD", False,
            "Run the outbox worker in a background thread of this process "
            "(`serve` and `demo` turn it on)."),
)

DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}


def apply_defaults(config: dict[str, Any]) -> None:
    """Fill every ``ADVIK_*`` key the host did not set."""
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)


def _convert(key: str, raw: str) -> Any:
    default = DEFAULTS.get(key)
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Decimal):
            return Decimal(raw)
    except (ValueError, InvalidOperation) as exc:
        kind = type(default).__name__
        raise RuntimeError(f"Setting {key}={raw!r} is not a valid {kind}") from exc
    return raw


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``ADVIK_*`` variables (and ``SECRET_KEY``) of the environment, typed."""
    env = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    for key, raw in env.items():
        if key.startswith("ADVIK_") and not key.startswith("ADVIK_TEST_"):
            found[key] = _convert(key, raw)
    if "SECRET_KEY" in env:
        found["SECRET_KEY"] = env["SECRET_KEY"]
    return found


def site_timezone(config: Mapping[str, Any]) -> ZoneInfo:
    name = config.get("ADVIK_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"ADVIK_TIMEZONE={name!r} is not a known time zone") from exc


def tax_rate(config: Mapping[str, Any]) -> Decimal:
    try:
        rate = Decimal(str(config.get("ADVIK_TAX_RATE") or "0"))
    except InvalidOperation as exc:
        raise RuntimeError("ADVIK_TAX_RATE must be a number (a percentage)") from exc
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise RuntimeError("ADVIK_TAX_RATE must be a percentage between 0 and 100")
    return rate


def callable_setting(value: object, key: str) -> Callable[..., Any] | None:
    """A setting that names a callable: the callable itself or ``"module:name"``."""
    if value in (None, ""):
        return None
    if callable(value):
        return value
    module_name, _, attr = str(value).partition(":")
    try:
        found = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"{key}={value!r} does not name an importable callable") from exc
    if not callable(found):
        raise RuntimeError(f"{key}={value!r} is not callable")
    return found  # type: ignore[no-any-return]


SSO_SECRET_MIN_LENGTH = 32


def wordpress_sso_secret(config: Mapping[str, Any]) -> str | None:
    """``ADVIK_WORDPRESS_SSO_SECRET``, or None when single sign-on is off; a short one stops
    the app (a guessable secret would let anyone sign in as an admin)."""
    secret = str(config.get("ADVIK_WORDPRESS_SSO_SECRET") or "").strip()
    if not secret:
        return None
    if len(secret) < SSO_SECRET_MIN_LENGTH:
        raise RuntimeError(f"ADVIK_WORDPRESS_SSO_SECRET must be at least "
                           f"{SSO_SECRET_MIN_LENGTH} characters")
    return secret


def settings_table() -> str:
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default in (None, "") else f"`{s.default}`"
        rows.append(f"| `{s.key}` | {default} | {s.help} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(settings_table())
