"""A WordPress test site, and the coupon service beside it, for the WordPress bridge's tests.

WordPress and PHP are Debian's (``/usr/share/wordpress``, ``php-cli``,
``php-mysql``); nothing of WordPress is in the repository. Each run copies
WordPress into a temp folder, writes its ``wp-config.php`` (the local MariaDB,
``ABSPATH`` = that copy), copies the plugin into ``wp-content/plugins`` and the
test mu-plugin into ``wp-content/mu-plugins``, installs the site with
WordPress's own ``wp_install()`` (``wordpress/tests/install.php``), activates
the plugin and serves the site with ``php -S 127.0.0.1:<port>``.

The service runs beside it on the same MariaDB database (tables prefixed
``wptest_advik_`` next to WordPress's ``wptest_``): gunicorn with two workers
and an outbox ``deliver`` worker, webhooks pointed at the site.

Every process starts under ``timeout`` with the parent-death signal set, so it
stops when its fixture ends, when pytest dies, and after :data:`LIFETIME` at most.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pymysql
from sqlalchemy.engine import URL, make_url

from advik_coupons.resources import resource_dir
from tests.conftest import MYSQL_URL, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "wordpress" / "advik-coupons"
PHP_TESTS = REPO / "wordpress" / "tests"
WORDPRESS = Path(os.environ.get("ADVIK_TEST_WORDPRESS_DIR", "/usr/share/wordpress"))
BIN = Path(sys.executable).parent
LIFETIME = 900  # seconds: the longest any server of these tests may live
WP_PREFIX = "wptest_"
SERVICE_PREFIX = "wptest_advik_"
ADMIN = {"login": "siteadmin", "password": "admin-pass-1234", "email": "admin@example.com"}
SUBSCRIBER = {"login": "sub", "password": "sub-pass-1234", "email": "sub@example.com",
              "role": "subscriber"}


def php() -> str | None:
    return shutil.which("php")


def need_wordpress() -> None:
    """Skip (fail under CI) without Debian's WordPress, PHP and its MySQL module."""
    if php() is None:
        unavailable("PHP (Debian's php-cli)", "no php on PATH")
    if not (WORDPRESS / "wp-settings.php").exists():
        unavailable("WordPress (Debian's wordpress)", f"{WORDPRESS} has no wp-settings.php")
    modules = subprocess.run([php() or "php", "-m"], capture_output=True, text=True).stdout
    if "mysqli" not in modules.split():
        unavailable("PHP's MySQL module (Debian's php-mysql)", "php -m lists no mysqli")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Proc:
    """A server process in its own session, stopped by :meth:`stop` or by itself."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, command: list[str], *, env: dict[str, str], log: Path,
              cwd: Path) -> Proc:
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                ["timeout", "--kill-after=5", str(LIFETIME), *command], env=env,
                cwd=str(cwd), stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)  # noqa: PLW1509 - only the main thread forks here
        return cls(name, proc, log)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def wait_for(what: str, check: Any, timeout: float = 30.0, proc: Proc | None = None) -> Any:
    """Poll ``check()`` until it answers something true; fail with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
        with contextlib.suppress(httpx.HTTPError, OSError, ValueError):
            found = check()
            if found:
                return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen in {timeout} s" +
                         (f":\n{proc.tail()}" if proc else ""))


# --- the database ---------------------------------------------------------------------

def database_url() -> URL:
    """The MariaDB database of the test site: ``ADVIK_TEST_WORDPRESS_MYSQL_URL``, else the
    server of ``ADVIK_TEST_MYSQL_URL`` with a database named after it plus ``_wordpress``."""
    given = os.environ.get("ADVIK_TEST_WORDPRESS_MYSQL_URL")
    if given:
        return make_url(given)
    base = make_url(MYSQL_URL)
    return base.set(database=f"{base.database or 'test'}_wordpress")


def _connect(url: URL, database: str | None) -> Any:
    return pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306,
                           user=url.username or "root", password=url.password or "",
                           database=database, charset="utf8mb4", autocommit=True)


def fresh_database(url: URL) -> None:
    """Make sure the database exists and holds no table of an earlier run."""
    try:
        connection = _connect(url, url.database)
    except pymysql.err.OperationalError as exc:
        if exc.args[0] != 1049:  # unknown database: make it with the main test account
            unavailable("MariaDB for WordPress at " + str(url.host), exc)
        try:
            admin = _connect(make_url(MYSQL_URL), None)
            with admin.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{url.database}` "
                               "CHARACTER SET utf8mb4")
            admin.close()
            connection = _connect(url, url.database)
        except pymysql.err.MySQLError as again:
            unavailable(f"MariaDB database {url.database}", again)
    with connection.cursor() as cursor:
        cursor.execute("SHOW TABLES LIKE %s", (WP_PREFIX.replace("_", "\\_") + "%",))
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET FOREIGN_KEY_CHECKS=0")
        for table in tables:
            cursor.execute(f"DROP TABLE `{table}`")
        cursor.execute("SET FOREIGN_KEY_CHECKS=1")
    connection.close()


def query(url: URL, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    connection = _connect(url, url.database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())
    finally:
        connection.close()


# --- the service ----------------------------------------------------------------------

SETUP_SERVICE = """
import json, sys
from advik_coupons import create_app
from advik_coupons.services.accounts import create_token
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade
app = create_app()
with app.app_context():
    upgrade(get_state().engine)
    client = app.test_client()
    token = create_token("wordpress")
    for body in json.loads(sys.argv[1]):
        answer = client.post("/api/v1/coupons", json=body,
                             headers={"Authorization": "Bearer " + token})
        assert answer.status_code == 201, answer.get_data(as_text=True)
print(token)
"""

@dataclass
class Service:
    """The coupon service: gunicorn (two workers) and a ``deliver`` worker."""

    folder: Path
    port: int
    env: dict[str, str]
    token: str = ""
    procs: list[Proc] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, coupons: list[dict[str, Any]]) -> None:
        """Migrate, make the API token and the coupons (one process), then serve."""
        done = subprocess.run([sys.executable, "-c", SETUP_SERVICE, json.dumps(coupons)],
                              env=self.env, cwd=str(self.folder), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        self.token = done.stdout.strip().splitlines()[-1]
        web = Proc.start("gunicorn", [str(BIN / "gunicorn"), "--workers", "2", "--bind",
                                      f"127.0.0.1:{self.port}", "--timeout", "60",
                                      "--graceful-timeout", "2", "advik_coupons:create_app()"],
                         env=self.env, log=self.folder / "gunicorn.log", cwd=self.folder)
        self.procs.append(web)
        wait_for("the service", lambda: httpx.get(self.url + "/healthz", timeout=2)
                 .status_code == 200, proc=web)
        self.procs.append(Proc.start(
            "deliver", [str(BIN / "advik-coupons"), "deliver", "--poll", "0.2"],
            env=self.env, log=self.folder / "deliver.log", cwd=self.folder))

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1" + path, timeout=10,
                             headers={"Authorization": f"Bearer {self.token}"}, **kwargs)


def service_env(db: URL, folder: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVIK_")}
    env.update({"ADVIK_DATABASE_URL": db.set(drivername="mysql+pymysql",
                                             query={"charset": "utf8mb4"})
                .render_as_string(hide_password=False),
                "ADVIK_TABLE_PREFIX": SERVICE_PREFIX, "ADVIK_INSTANCE_PATH": str(folder),
                "SECRET_KEY": "wordpress-test-secret", "ADVIK_TAX_RATE": "8.25",
                "ADVIK_APPLY_RATE_LIMIT": "", "ADVIK_QUOTE_CACHE_SECONDS": "0",
                "ADVIK_HOOKS_DIR": str(resource_dir("hooks")),
                "ADVIK_WEBHOOK_TIMEOUT_SECONDS": "5"})
    env.update(settings)
    return env


# --- WordPress ------------------------------------------------------------------------

WP_CONFIG = """<?php
// The test site's configuration, written by tests/wordpress/site.py.
define( 'DB_NAME', {db_name} );
define( 'DB_USER', {db_user} );
define( 'DB_PASSWORD', {db_password} );
define( 'DB_HOST', {db_host} );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$table_prefix = '{prefix}';
define( 'WP_HOME', {url} );
define( 'WP_SITEURL', {url} );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', {debug_log} );
define( 'WP_DEBUG_DISPLAY', false );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );  // only this host: 127.0.0.1 (the service too)
define( 'ADVIK_TEST_EVENTS_LOG', {events_log} );
define( 'ADVIK_TEST_BOOKINGS_LOG', {bookings_log} );
{salts}
// Constants the tests set (the plugin's settings fixed in wp-config.php).
if ( file_exists( __DIR__ . '/wp-config-advik.php' ) ) {{
\trequire __DIR__ . '/wp-config-advik.php';
}}
if ( ! defined( 'ABSPATH' ) ) {{
\tdefine( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""
SALTS = ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
         "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")


def php_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class WordPress:
    """The test site: its folder (a copy of WordPress), address, logs and server."""

    folder: Path
    port: int
    db: URL
    server: Proc | None = None
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> Path:
        return self.folder / "site"

    @property
    def events_log(self) -> Path:
        return self.folder / "events.jsonl"

    @property
    def bookings_log(self) -> Path:
        return self.folder / "bookings.jsonl"

    @property
    def debug_log(self) -> Path:
        return self.folder / "debug.log"

    @property
    def events_url(self) -> str:
        return self.url + "/wp-json/advik-coupons/v1/events"

    def build(self) -> None:
        """Copy WordPress, the plugin and the test mu-plugin; write wp-config.php."""
        shutil.copytree(WORDPRESS, self.root, symlinks=True, ignore=shutil.ignore_patterns(
            "wp-content", "wp-config.php", ".htaccess"))
        content = self.root / "wp-content"
        (content / "plugins").mkdir(parents=True)
        (content / "themes").mkdir()
        for theme in (WORDPRESS / "wp-content" / "themes").iterdir():
            (content / "themes" / theme.name).symlink_to(theme)
        shutil.copytree(PLUGIN, content / "plugins" / "advik-coupons")
        shutil.copytree(PHP_TESTS / "mu-plugins", content / "mu-plugins")
        host = f"{self.db.host or '127.0.0.1'}:{self.db.port or 3306}"
        (self.root / "wp-config.php").write_text(WP_CONFIG.format(
            db_name=php_string(self.db.database or ""),
            db_user=php_string(self.db.username or "root"),
            db_password=php_string(self.db.password or ""), db_host=php_string(host),
            prefix=WP_PREFIX, url=php_string(self.url),
            debug_log=php_string(str(self.debug_log)),
            events_log=php_string(str(self.events_log)),
            bookings_log=php_string(str(self.bookings_log)),
            salts="\n".join(f"define( '{name}', '{secrets.token_hex(24)}' );"
                            for name in SALTS)))

    def install(self, options: dict[str, Any], pages: list[dict[str, str]]) -> dict[str, Any]:
        config = {"url": self.url, "admin": ADMIN, "users": [SUBSCRIBER], "options": options,
                  "plugins": ["advik-coupons/advik-coupons.php"], "pages": pages}
        done = subprocess.run([php() or "php", str(PHP_TESTS / "install.php"), str(self.root),
                               json.dumps(config)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        self.pages = found["pages"]
        return found

    def start(self) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self.server = Proc.start("php -S", [php() or "php", "-S", f"127.0.0.1:{self.port}",
                                            "-t", str(self.root), str(PHP_TESTS / "router.php")],
                                 env=env, log=self.folder / "php-server.log", cwd=self.folder)
        wait_for("WordPress", lambda: httpx.get(self.url + "/wp-login.php", timeout=5)
                 .status_code == 200, proc=self.server)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def call(self, function: str, *args: Any, timeout: float | None = None) -> dict[str, Any]:
        """Run one of the plugin's functions inside the site (``wordpress/tests/call.php``);
        ``timeout`` sets the plugin's HTTP timeout through its filter."""
        env = {**os.environ, "ADVIK_TEST_HTTP_TIMEOUT": str(timeout or "")}
        done = subprocess.run([php() or "php", str(PHP_TESTS / "call.php"), str(self.root),
                               self.url, function, json.dumps(list(args))],
                              capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    def events(self) -> list[dict[str, Any]]:
        """What the test mu-plugin recorded: one entry per advik_coupon_* action fired."""
        if not self.events_log.exists():
            return []
        return [json.loads(line) for line in self.events_log.read_text().splitlines() if line]

    def bookings(self) -> list[dict[str, Any]]:
        if not self.bookings_log.exists():
            return []
        return [json.loads(line) for line in self.bookings_log.read_text().splitlines() if line]

    def set_constants(self, constants: dict[str, str]) -> None:
        """Fix plugin settings in wp-config.php (an empty dict removes them)."""
        target = self.root / "wp-config-advik.php"
        if not constants:
            target.unlink(missing_ok=True)
            return
        lines = [f"define( '{name}', {php_string(value)} );" for name, value in constants.items()]
        target.write_text("<?php\n" + "\n".join(lines) + "\n")

    def plugin_problems(self, since: int = 0) -> list[str]:
        """PHP errors, warnings and notices the plugin or the test mu-plugin caused."""
        if not self.debug_log.exists():
            return []
        text = self.debug_log.read_bytes()[since:].decode(errors="replace")
        return [line for line in text.splitlines()
                if ("advik-coupons" in line or "advik-test-site" in line) and "PHP " in line]


def wp_login(page: Page, wp: WordPress, login: str, password: str) -> None:
    """Log in on wp-login.php as a person would."""
    page.goto(wp.url + "/wp-login.php")
    page.get_by_label("Username or Email Address").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log In").click()
    page.wait_for_url("**/wp-admin/**")
