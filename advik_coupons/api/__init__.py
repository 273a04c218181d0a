"""The JSON API (``docs/contracts.md`` §4.2): bearer tokens, JSON in and out.

:data:`ROUTES` is the whole API in one table; :func:`register` mounts it at
``ADVIK_URL_PREFIX + ADVIK_API_PREFIX``. Errors are JSON: ``400
{"errors": {field: message}}``, ``401``, ``404``, ``409`` (a duplicate code),
``413``, ``422`` (a reason code); so are the ``404`` and ``405`` of a path under the
prefix that matches no route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter

from ..web.errors import RateLimited, json_http_error
from ..web.misses import answer_misses_as_json
from . import coupons, history, openapi, overview, redemptions
from .args import MAX_ID
from .auth import TokenRequired, token_required

bp = Blueprint("advik_api", __name__)

#: (method, rule, view): every route of the API; each needs a token.
ROUTES: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("GET", "/coupons", coupons.list_coupons),
    ("POST", "/coupons", coupons.create_coupon),
    ("GET", "/coupons/<int:coupon_id>", coupons.read_coupon),
    ("PATCH", "/coupons/<int:coupon_id>", coupons.update_coupon),
    ("DELETE", "/coupons/<int:coupon_id>", coupons.delete_coupon),
    ("POST", "/coupons/<int:coupon_id>/activate", coupons.activate),
    ("POST", "/coupons/<int:coupon_id>/deactivate", coupons.deactivate),
    ("POST", "/coupons/<int:coupon_id>/batches", coupons.create_batch),
    ("GET", "/coupons/<int:coupon_id>/redemptions", redemptions.coupon_redemptions),
    ("GET", "/coupons/<int:coupon_id>/stats", redemptions.stats),
    ("GET", "/coupons/<int:coupon_id>/history", history.coupon_history),
    ("GET", "/stats", overview.stats_across),
    ("POST", "/quote", redemptions.quote),
    ("POST", "/redemptions", redemptions.redeem),
    ("PATCH", "/redemptions/<int:redemption_id>", redemptions.amend),
    ("POST", "/redemptions/<int:redemption_id>/cancel", redemptions.cancel),
    ("POST", "/bookings", redemptions.report_booking),
)

for _method, _rule, _view in ROUTES:
    # ids are bounded, so a 30-digit one is a 404, not an overflow in the database driver
    bp.add_url_rule(_rule.replace("<int:", "<advik_id:"),
                    view_func=token_required(_view), methods=[_method])
#: The OpenAPI document of all of them (:mod:`.openapi`): no token needed.
bp.add_url_rule(openapi.DOCUMENT, view_func=openapi.document, methods=["GET"])


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> ResponseReturnValue:
    if isinstance(error, TokenRequired | RateLimited):
        return error
    return json_http_error(error)


class IdConverter(IntegerConverter):
    """An id in a path: a whole number up to :data:`MAX_ID`; a larger one is no such thing."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def register(app: Flask, url_prefix: str) -> None:
    app.url_map.converters["advik_id"] = IdConverter
    app.register_blueprint(bp, url_prefix=url_prefix)
    if url_prefix.strip("/"):
        answer_misses_as_json(app, url_prefix)
