"""The payment step: ``POST /coupons/apply`` and the "Have a coupon code?" widget.

The endpoint takes the JSON (or form) body of docs/contracts.md §4.2 and answers
``200`` (applied, with the price summary), ``422`` (a reason code and the
customer's message), ``400`` (``invalid_request`` naming each bad field) or
``429`` (too many attempts, see :mod:`advik_coupons.web.ratelimit`); its ``405`` and
``413`` are JSON too. The tax rate
is the site's (``ADVIK_TAX_RATE``), never the client's; pricing, the funnel
counters and the ``coupon_applied``/``coupon_rejected`` signals are
:func:`advik_coupons.services.quoting.quote`'s. Unknown, malformed, inactive and
archived codes all read "This coupon isn't valid." with the reason ``not_found``
(the funnel and the signal keep the real reason).

Browsers on other origins may call it when their origin is listed in
``ADVIK_CORS_ORIGINS`` (preflight ``OPTIONS`` included); a post from any other
site's page is ``403`` (:mod:`advik_coupons.web.origin`).

The widget is ``templates/advik/coupon_widget.html`` plus
``static/advik-coupon.js`` and ``.css``, served by this blueprint at
``<prefix>/coupons/static/…`` so it works mounted in a host app as well. A
page that is not rendered by Jinja (a WordPress shortcode, plain HTML) writes
only ``<div data-advik-coupon data-subtotal="…">``: the script builds the
widget inside it from ``GET <prefix>/coupons/widget.json`` (the widget's markup,
the site's currency and tax rate; allowed to the same origins).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from .domain.codes import is_valid_code, normalize_code
from .domain.errors import CouponRejected
from .domain.messages import PUBLIC_AS_NOT_FOUND
from .domain.money import as_str, format_money, minor_units, price
from .resources import resource_dir
from .services.links import LINK_COOKIE, LINK_DAYS, open_link
from .services.quoting import quote
from .state import get_state
from .web.bodies import parse_booking, read_body
from .web.errors import json_http_error
from .web.i18n import answer_quote, bcp47, request_locale, widget_messages
from .web.misses import answer_misses_as_json
from .web.origin import allowed_origins, check_origin
from .web.ratelimit import check_apply_limit, init_limits
from .web.redirects import safe_path

bp = Blueprint("advik_checkout", __name__, template_folder=str(resource_dir("templates")),
               static_folder=str(resource_dir("static")), static_url_path="/static")

CORS_MAX_AGE = "600"
#: The views a browser on an ``ADVIK_CORS_ORIGINS`` origin may call.
CORS_ENDPOINTS = frozenset({"advik_checkout.apply", "advik_checkout.widget_config"})
WIDGET_CONFIG_MAX_AGE = 300
#: Stands for a widget's id in the markup of ``widget.json`` (the script puts the real one).
WIDGET_ID = "__ADVIK_ID__"
_widget_ids = itertools.count(1)


def register(app: Flask, prefix: str) -> None:
    """Mount the endpoint and the widget's files at ``<prefix>/coupons``."""
    app.register_blueprint(bp, url_prefix=prefix + "/coupons")
    answer_misses_as_json(app, prefix + "/coupons/apply", exact=True)
    init_limits(app, get_state(app))


@bp.post("/apply")
def apply() -> ResponseReturnValue:
    """Validate a code against the booking and answer with the new price summary."""
    code, booking = parse_booking(read_body(request))
    try:
        # Whether an e-mail booked before is not a guesser's to learn: the audience and
        # once-per-customer rules are checked when the booking is redeemed.
        return jsonify(answer_quote(quote(code, booking, customer_history=False)))
    except CouponRejected as rejected:  # counted with its real reason; answered as unknown
        if rejected.reason in PUBLIC_AS_NOT_FOUND:
            raise CouponRejected("not_found") from None
        raise


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """An over-large body (more than ``MAX_BODY``, or the host's ``MAX_CONTENT_LENGTH``)."""
    return json_http_error(error)


@bp.get("/go/<path:code>")
def go(code: str) -> ResponseReturnValue:
    """A campaign link: remember the code for the payment step and go to ``next``.

    Only a path on this site is followed; anything else goes to the site's root
    (``ADVIK_SITE_URL`` when set). Unknown codes are answered alike.
    """
    remembered = open_link(code)
    target = safe_path(request.args.get("next")) or site_root()
    response = redirect(target)
    if remembered:
        response.set_cookie(LINK_COOKIE, remembered, max_age=LINK_DAYS * 86400, path="/",
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def site_root() -> str:
    return str(current_app.config.get("ADVIK_SITE_URL") or "").rstrip("/") + "/"


def remembered_code() -> str:
    """The code a campaign link left for this browser ("" when none, or not a code)."""
    code = normalize_code(request.cookies.get(LINK_COOKIE) or "")
    return code if is_valid_code(code) else ""


bp.before_request(check_origin)  # before the limit: another site's post is not counted
bp.before_request(check_apply_limit)


@bp.get("/widget.json")
def widget_config() -> ResponseReturnValue:
    """What a widget on a page Jinja does not render is built from: the site's currency and
    tax rate, and the widget's markup (``advik/coupon_widget_body.html``) with
    :data:`WIDGET_ID` where each widget's own id goes."""
    state = get_state()
    neutral = {**widget_context({}, widget_id=WIDGET_ID), "code": ""}  # cached: no one's code
    markup = render_template("advik/coupon_widget_body.html", w=neutral)
    locale = request_locale()
    response = jsonify({"currency": state.currency, "decimals": minor_units(state.currency),
                        "tax_rate": str(state.tax_rate), "locale": bcp47(locale),
                        "messages": widget_messages(locale), "markup": markup.strip()})
    response.vary.add("Accept-Language")
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_CONFIG_MAX_AGE
    return response


@bp.after_request
def _cors(response: Response) -> Response:
    """Let the allow-listed origins call the endpoint from a browser."""
    if request.endpoint not in CORS_ENDPOINTS:
        return response
    if "Vary" in response.headers:
        response.vary.add("Origin")
    else:  # the common case, without parsing a header set
        response.headers["Vary"] = "Origin"
    origin = request.headers.get("Origin")
    if not origin:
        return response
    allowed = allowed_origins(current_app)
    if origin.rstrip("/") not in allowed and "*" not in allowed:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def _decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw if raw not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal("0")
    return value if value.is_finite() and value >= 0 else Decimal("0")


def widget_context(booking: Mapping[str, Any] | None = None, *,
                   field_name: str = "coupon_code", form_id: str | None = None,
                   code: str | None = None, widget_id: str | None = None) -> dict[str, Any]:
    """What ``advik/coupon_widget.html`` shows before any code is applied.

    ``booking`` holds the host's ``subtotal`` (its own price), and optionally
    ``email``, ``booking_date``, ``booking_time``, ``booking_type`` and ``items``
    (the booking's lines; a line's ``name`` is shown to the customer).
    """
    state = get_state()
    locale = request_locale()
    data = dict(booking or {})
    link = "" if code else remembered_code()
    amounts = price(_decimal(data.get("subtotal")), Decimal("0"), state.tax_rate,
                    state.currency)
    return {
        "id": widget_id or f"advik-coupon-{next(_widget_ids)}",
        "apply_url": url_for("advik_checkout.apply"),
        "currency": state.currency,
        "decimals": minor_units(state.currency),
        "locale": bcp47(locale),
        "messages": widget_messages(locale),
        "tax_rate": str(state.tax_rate),
        "subtotal": as_str(amounts.subtotal, state.currency),
        "email": data.get("email") or "",
        "booking_date": data.get("booking_date") or "",
        "booking_time": data.get("booking_time") or "",
        "booking_type": data.get("booking_type") or "one_time",
        "lines": list(data.get("items") or []),
        "field_name": field_name,
        "form_id": form_id,
        "code": code or link,
        "auto": "link" if link else "",
        "shown": {k: format_money(getattr(amounts, k), state.currency, locale)
                  for k in ("subtotal", "discount", "tax", "total")},
    }


def widget_assets() -> dict[str, str]:
    return {"js": url_for("advik_checkout.static", filename="advik-coupon.js"),
            "css": url_for("advik_checkout.static", filename="advik-coupon.css")}


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    """``advik_widget(booking)`` and ``advik_widget_assets()`` for the host's templates."""
    return {"advik_widget": widget_context, "advik_widget_assets": widget_assets}
