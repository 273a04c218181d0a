"""The ``advik`` command group: ``flask advik …`` in a host, ``advik-coupons …`` alone.

The extension adds the group to every app it is set up on; the standalone
command line (:mod:`advik_coupons.cli`) puts the same commands at its top level.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from . import demo as demo_site
from .demo.data import ensure_admin, seed_coupons
from .domain.roles import ROLES
from .events import delivery
from .services import accounts
from .services.coupons import generate_code as new_code
from .services.lifecycle import announce_due
from .state import get_state
from .store import integrity, schema
from .web.listening import PortTaken, bind

advik_cli = AppGroup("advik", help="Advik Coupons: schema, admins, API tokens, codes.")


def upgrade_schema() -> None:
    """Create or upgrade the schema, or exit with a clear message if the db is down."""
    engine = get_state().engine
    try:
        schema.upgrade(engine)
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def require_database() -> None:
    """Exit with a clear one-line message when the database cannot be reached."""
    engine = get_state().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


def require_schema() -> None:
    """Exit with a clear message when the schema is missing or older than this package's."""
    require_database()
    engine = get_state().engine
    if schema.current_heads(engine) != schema.newest_heads():
        url = engine.url.render_as_string(hide_password=True)
        raise click.ClickException(f"the database at {url} has no current Advik Coupons "
                                   "schema: run `advik-coupons init-db` first.")


def _unreachable(engine: Engine, exc: OperationalError) -> click.ClickException:
    url = engine.url.render_as_string(hide_password=True)
    return click.ClickException(f"cannot reach the database at {url}: {exc.orig}. "
                                "Is it running, and is ADVIK_DATABASE_URL right?")


@advik_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (the migrations shipped in the package)."""
    upgrade_schema()
    click.echo("Schema is up to date: " + ", ".join(sorted(schema.newest_heads())))


@advik_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True,
              confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="owner (everything), manager (coupons, batches, manual apply, cancel) "
                   "or viewer (reads only). New admins: owner.")
def create_admin(email: str, password: str, role: str | None) -> None:
    """Create an admin account (or reset its password, and its role when given)."""
    require_schema()
    try:
        user = accounts.create_admin(email, password, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    where = current_app.config["ADVIK_ADMIN_PREFIX"]
    click.echo(f"Admin {user.email} ({role or user.role}) can log in at {where}/login")


@advik_cli.command("create-token")
@click.option("--name", required=True, help="Who or what uses the token.")
def create_token(name: str) -> None:
    """Create an API token; the token is printed alone on the last line."""
    require_schema()
    try:
        token = accounts.create_token(name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"API token '{name}' created. It is shown once; store it now:")
    click.echo(token)


@advik_cli.command("revoke-token")
@click.option("--name", required=True, help="The name the token was created with.")
def revoke_token(name: str) -> None:
    """Revoke every API token of that name (workers stop accepting it within 5 s)."""
    require_schema()
    count = accounts.revoke_tokens(name)
    if count == 0:
        raise click.ClickException(f"no active API token is named {name!r}")
    click.echo(f"Revoked {count} API token(s) named '{name}'.")


@advik_cli.command("check")
def check() -> None:
    """Check a (restored) database: used counts, the rollup and the outbox agree."""
    require_schema()
    with get_state().engine.connect() as connection:
        report = integrity.check(connection)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    summary = (f"{report.coupons} coupons, {report.redemptions} redemptions, "
               f"{report.notices} outbox notices checked")
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {summary}")
    click.echo(f"OK: {summary}")


@advik_cli.command("generate-code")
@click.option("--prefix", default="", help="Optional prefix.")
def generate_code(prefix: str) -> None:
    """Print a fresh unused code."""
    require_schema()
    click.echo(new_code(get_state().session, prefix.strip().upper()))


@advik_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Create or upgrade the schema, then serve the app with waitress (multi-threaded)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    server = listen(app, host, port, threads)
    upgrade_schema()
    run_server(app, server, f"{host}:{port}", threads)


@advik_cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def demo(host: str, port: int, threads: int) -> None:
    """Like serve, plus demo coupons, a demo admin and the demo booking site at /demo."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    server = listen(app, host, port, threads)  # a taken port: one line, before any banner
    if "advik_demo" not in app.blueprints:  # an app made without ADVIK_DEMO: add the site
        app.config["ADVIK_DEMO"] = True
        demo_site.register(app, str(app.config["ADVIK_URL_PREFIX"]).rstrip("/"))
    email, password = prepare_demo(app)
    base = f"http://{host}:{port}"
    click.echo(f"Demo booking site: {base}/demo/")
    click.echo(f"Admin pages: {base}{app.config['ADVIK_ADMIN_PREFIX']}/coupons")
    click.echo(f"  log in as {email} / password {password}")
    run_server(app, server, f"{host}:{port}", threads)


def prepare_demo(app: Flask) -> tuple[str, str]:
    """Schema, demo coupons and the demo admin; the admin's e-mail and password."""
    with app.app_context():
        upgrade_schema()
        created = seed_coupons()
        if created:
            click.echo("Demo coupons created: " + ", ".join(created))
        return ensure_admin(app.instance_path)


@advik_cli.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", default=1.0, show_default=True, type=float,
              help="Seconds to sleep when nothing is due.")
def deliver(once: bool, poll: float) -> None:
    """The outbox worker: send webhook and Slack notices (run as many as you like)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    require_schema()  # at start a clear error; once running, it rides out outages
    if once:
        click.echo(f"Delivered or retried {delivery.drain(app, announce_due)} notice(s).")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    click.echo("Outbox worker running (Ctrl+C or SIGTERM to stop).")
    sys.stdout.flush()
    try:
        delivery.run(app, stop, poll, announce_due)
    except KeyboardInterrupt:
        stop.set()


class PortInUse(click.ClickException):
    """A taken port: its one line alone on stderr, exit code 2 (as for a bad option)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def listen(app: Flask, host: str, port: int, threads: int) -> Any:
    """The bound server, or exit at once with ``port N is taken: try --port M``."""
    try:
        return bind(app, host, port, threads)
    except PortTaken as taken:
        raise PortInUse(str(taken)) from None


def run_server(app: Flask, server: Any, address: str, threads: int) -> None:
    delivery.start_thread(app, periodic=announce_due)  # serve and demo deliver in-process too
    # Said once the socket is bound, so whoever waits for this line can connect at once.
    click.echo(f"Advik Coupons on http://{address}/ (waitress, {threads} threads). "
               "Press Ctrl+C to stop.")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
