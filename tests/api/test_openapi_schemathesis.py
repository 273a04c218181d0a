"""Schemathesis against the live server (waitress on 127.0.0.1) over every operation of
the OpenAPI document, with a token and every check on: no 5xx, status codes, content
types, headers and bodies as the document says, schema-valid requests accepted and
schema-violating ones refused. A fixed seed and a bounded number of examples per
operation keep the run reproducible and within about a minute.

Two checks are told the document's own answers: a schema-valid request may still be
``400`` (rules across fields: ``from`` after ``to``, lines that do not add up), ``404``
(an id that is not there), ``409``, ``413`` (ten thousand e-mails are more than 64 KB)
or ``422`` (a code that does not apply); a refused one may be ``413`` besides the usual
``400``/``422``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask

from advik_coupons.api.openapi import build_document
from tests.conftest import make_app
from tests.live_server import serving

CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "400", "404", "409", "413", "422"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "404", "405", "409", "413", "422"]
"""
EXAMPLES_PER_OPERATION = 10
SEED = 16


def test_schemathesis_finds_nothing(sqlite_url: str, tmp_path: Path) -> None:
    app: Flask = make_app(sqlite_url, tmp_path, ADVIK_APPLY_RATE_LIMIT="100000/minute")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    st = Path(sys.executable).with_name("st")
    with serving(app) as (url, token):
        run = subprocess.run(
            [str(st), "--config-file", str(config), "run", f"{url}/api/v1/openapi.json",
             "-H", f"Authorization: Bearer {token}", "--checks", "all",
             "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", str(SEED),
             "--workers", "1", "--no-shrink", "--no-color"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False)
    output = run.stdout + run.stderr
    print(output)  # shown by pytest when the test fails
    assert run.returncode == 0, "schemathesis found failures (its report is above)"
    operations = sum(len(item) for item in build_document(app)["paths"].values())
    assert f"Tested: {operations - 1}" in output, output[-3000:]  # all but the document
