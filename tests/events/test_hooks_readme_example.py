"""The README's "write your own hook" example runs as written (its URL pointed at a
local receiver) and receives a redemption."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from advik_coupons import events
from tests.conftest import ApiClient, make_app, make_coupon
from tests.hook_receiver import running_receiver

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE_URL = "https://crm.example.com/coupon-used"


def readme_example() -> str:
    text = README.read_text()
    section = text[text.index("### Write your own hook"):]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README has no hook example"
    return found.group(1)


def test_the_readme_hook_example_works(sqlite_url: str, tmp_path: Path) -> None:
    code = readme_example()
    assert len(code.strip().splitlines()) <= 12
    assert EXAMPLE_URL in code
    with running_receiver() as receiver:
        hooks = tmp_path / "hooks"
        hooks.mkdir()
        (hooks / "crm_hook.py").write_text(code.replace(EXAMPLE_URL, receiver.url))
        app = make_app(sqlite_url, tmp_path, ADVIK_HOOKS_DIR=str(hooks))
        make_coupon(app, code="CRM5")
        answer = ApiClient(app).post("/redemptions", json={
            "code": "crm5", "subtotal": "80.00", "booking_ref": "BK-README"})
        assert answer.status_code == 201
        assert events.wait_for_hooks(app)
        deadline = time.monotonic() + 5
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        [request] = receiver.requests
        assert json.loads(request.body) == {"code": "CRM5", "booking": "BK-README"}
