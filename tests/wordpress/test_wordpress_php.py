"""The plugin's PHP on its own: ``php -l`` on every file, the PHP unit tests (the
Standard Webhooks example, the sign-on token), and a token made by the plugin's PHP
read by the service's Python."""

from __future__ import annotations

import json
import subprocess
import time

import jwt
import pytest

from advik_coupons.services.wordpress_sso import AUDIENCE, read_token
from tests.conftest import unavailable
from tests.wordpress.site import PHP_TESTS, PLUGIN, REPO, php

PHP_FILES = sorted((REPO / "wordpress").rglob("*.php"))


@pytest.fixture(scope="module")
def php_binary() -> str:
    found = php()
    if found is None:
        unavailable("PHP (Debian's php-cli)", "no php on PATH")
    return found or "php"


def test_every_php_file_is_found() -> None:
    names = {p.relative_to(REPO / "wordpress").as_posix() for p in PHP_FILES}
    assert {"advik-coupons/advik-coupons.php", "advik-coupons/uninstall.php",
            "advik-coupons/includes/webhooks.php", "tests/unit-tests.php"} <= names


@pytest.mark.parametrize("path", PHP_FILES, ids=[p.name for p in PHP_FILES])
def test_php_lint(php_binary: str, path: object) -> None:
    done = subprocess.run([php_binary, "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_php_unit_tests(php_binary: str) -> None:
    done = subprocess.run([php_binary, str(PHP_TESTS / "unit-tests.php")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.endswith(" passed, 0 failed") and int(last.split()[0]) >= 20, last


SSO_SNIPPET = """
define( 'ABSPATH', '/' );
require '{plugin}/includes/sso-token.php';
echo advik_coupons_sso_token( $argv[1], 'http://wp.example.test', 'Ann', "Ann \\u{{e9}}",
                              'ann@example.com', time(), bin2hex( random_bytes( 16 ) ) );
"""


def test_the_plugins_token_is_read_by_the_service(php_binary: str) -> None:
    secret = "a-secret-of-at-least-thirty-two-characters"
    code = SSO_SNIPPET.format(plugin=PLUGIN)
    done = subprocess.run([php_binary, "-r", code, secret], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
    assert claims["exp"] - claims["iat"] == 60 and abs(claims["iat"] - time.time()) < 5
    assert claims["name"] == "Ann \u00e9" and len(claims["jti"]) == 32
    read = read_token(token, secret)
    assert (read.login, read.origin) == ("Ann", "http://wp.example.test")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, secret + "x", algorithms=["HS256"], audience=AUDIENCE)
    assert json.loads(jwt.utils.base64url_decode(token.split(".")[0])) == {
        "alg": "HS256", "typ": "JWT"}
