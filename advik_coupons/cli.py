"""The console script ``advik-coupons``: the ``advik`` commands at the top level.

It builds the standalone app (:func:`advik_coupons.create_app`, settings from
``ADVIK_*`` environment variables) and runs one of the commands of
:mod:`advik_coupons.commands` in it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.cli import FlaskGroup

from .app import create_app
from .commands import advik_cli


def _make_app(*_args: Any) -> Flask:
    return create_app()


def main() -> None:
    """Console script ``advik-coupons``: the ``advik`` commands at the top level."""
    cli = FlaskGroup(create_app=_make_app, help="Advik Coupons: a coupon engine for "
                     "booking websites. Settings come from ADVIK_* environment variables.")
    for command in advik_cli.commands.values():
        cli.add_command(command)
    cli.main(prog_name="advik-coupons")
