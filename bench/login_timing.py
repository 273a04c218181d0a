"""How long a failed admin log-in takes for a known e-mail and an unknown one, locked or not.

Issue 18 row 2: a locked account answered in ~4 ms and an unknown e-mail in
~110 ms, so the lock told which e-mails are admins. This posts the log-in
form N times (default 6) per case through the test client on a temporary
SQLite file and prints each case's median and its ratio to the unknown
e-mail's (1.00 means no difference to measure).

    .venv/bin/python bench/login_timing.py [-n 20]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from advik_coupons import create_app
from advik_coupons.services.accounts import create_admin
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KNOWN, UNKNOWN, PASSWORD = "owner@example.com", "stranger@example.com", "a long password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=6)  # about 60 s on a busy 2-core box
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "ADVIK_HOOKS_DIR": "",
                          "ADVIK_DATABASE_URL": f"sqlite:///{Path(folder) / 'b.sqlite'}",
                          "INSTANCE_PATH": folder, "ADVIK_ADMIN_LOGIN_RATE_LIMIT": "",
                          "ADVIK_ADMIN_MAX_FAILED_LOGINS": 3})
        with app.app_context():
            upgrade(get_state().engine)
            create_admin(KNOWN, PASSWORD)
        client = app.test_client()

        def post(email: str, addr: str) -> float:
            environ = {"REMOTE_ADDR": addr}
            token = TOKEN.search(client.get("/admin/login", environ_base=environ).text)
            assert token is not None
            started = time.perf_counter()
            client.post("/admin/login", environ_base=environ, data={
                "email": email, "password": "wrong guess", "csrf_token": token.group(1)})
            return time.perf_counter() - started

        cases: dict[str, list[float]] = {}
        for i in range(args.n):
            for email in (KNOWN, UNKNOWN):
                fresh = f"10.1.{i}.{1 if email == KNOWN else 2}"
                cases.setdefault(f"{email.split('@')[0]} wrong", []).append(post(email, fresh))
                for _ in range(3):
                    post(email, fresh)  # now locked for this address
                cases.setdefault(f"{email.split('@')[0]} locked", []).append(
                    post(email, fresh))
        base = statistics.median(cases["stranger wrong"])
        for name, times in cases.items():
            median = statistics.median(times)
            print(f"{name:16} median {median * 1000:7.1f} ms   ratio {median / base:5.2f}")


if __name__ == "__main__":
    main()
