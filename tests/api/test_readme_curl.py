"""The README's curl examples of the JSON API, run as written against a live server,
and the answers shown beside them (``# 201 {"id": 1, ...}``) checked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.live_server import serving

README = Path(__file__).resolve().parents[2] / "README.md"
MARK = "@@status="


def api_blocks() -> list[str]:
    """The shell blocks with curl in the README's section on the JSON API."""
    text = README.read_text()
    section = text.split("## The JSON API", 1)[1].split("\n## ", 1)[0]
    return [b for b in re.findall(r"```sh\n(.*?)```", section, flags=re.S) if "curl " in b]


def expected_answers(block: str) -> list[tuple[int, dict[str, object]] | None]:
    """For each curl of the block: the status and top-level values its comment shows."""
    found: list[tuple[int, dict[str, object]] | None] = []
    for line in block.splitlines():
        if line.startswith("curl "):
            found.append(None)
        shown = re.match(r"# (\d{3}) (.*)", line)
        if shown and found and found[-1] is None:
            pairs = re.findall(r'"(\w+)": ("[^"]*"|-?\d+|true|false)', shown.group(2))
            found[-1] = (int(shown.group(1)), {k: json.loads(v) for k, v in pairs})
    return found


def test_the_readme_curl_examples_answer_as_shown(sqlite_url: str, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    blocks = api_blocks()
    assert len(blocks) >= 3
    app = make_app(sqlite_url, tmp_path)
    wrapper = f"curl() {{ command curl \"$@\" -w '\\n{MARK}%{{http_code}}\\n'; }}\n"
    with serving(app) as (url, token):
        for block in blocks:
            run = subprocess.run(
                ["bash", "-c", wrapper + block], capture_output=True, text=True, timeout=60,
                env={"API": f"{url}/api/v1", "AUTH": f"Authorization: Bearer {token}",
                     "PATH": "/usr/bin:/bin"}, check=False)
            assert run.returncode == 0, run.stderr
            answers = re.findall(rf"(.*?)\n{MARK}(\d+)\n", run.stdout, flags=re.S)
            expected = expected_answers(block)
            assert len(answers) == len(expected), run.stdout
            for (body, status), shown in zip(answers, expected, strict=True):
                assert int(status) < 400, body
                if shown is None:
                    continue
                assert int(status) == shown[0], body
                data = json.loads(body)
                for key, value in shown[1].items():
                    assert data[key] == value, (key, body)
