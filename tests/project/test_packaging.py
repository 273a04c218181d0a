"""``pip install .`` (a real wheel, not editable) into a clean venv serves everything."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = textwrap.dedent("""
    import sys, tempfile, pathlib
    import advik_coupons
    from advik_coupons import create_app
    from advik_coupons.resources import resource_dir
    pkg = pathlib.Path(advik_coupons.__file__).parent
    assert "site-packages" in str(pkg), pkg
    for name in ("templates", "static", "hooks"):
        folder = resource_dir(name)
        assert folder.parent == pkg, (name, folder)
        assert any(folder.iterdir()), name
    assert (resource_dir("hooks") / "webhook.py").is_file()
    assert (resource_dir("hooks") / "slack.py").is_file()
    assert (pkg / "store" / "migrations" / "versions" / "0001_initial.py").is_file()
    tmp = tempfile.mkdtemp()
    app = create_app({"ADVIK_DATABASE_URL": f"sqlite:///{tmp}/p.sqlite", "INSTANCE_PATH": tmp})
    from advik_coupons.state import get_state
    from advik_coupons.store.schema import upgrade
    with app.app_context():
        upgrade(get_state().engine)
    client = app.test_client()
    static = sorted(p for p in resource_dir("static").rglob("*.js"))
    assert static, "no JavaScript shipped"
    rel = static[0].relative_to(resource_dir("static")).as_posix()
    r = client.get("/advik-static/" + rel)
    assert r.status_code == 200 and len(r.data) > 100, rel
    templates = sorted(p.relative_to(resource_dir("templates")).as_posix()
                       for p in resource_dir("templates").rglob("*.html"))
    assert templates
    with app.app_context():
        app.jinja_env.get_template(templates[0])
    for lang in ("es", "fr", "de", "pt_BR"):  # compiled at build time (hatch_build.py)
        assert (pkg / "translations" / lang / "LC_MESSAGES" / "messages.mo").is_file(), lang
    r = client.post("/coupons/apply", json={"code": "NOPE", "subtotal": "10", "locale": "de"})
    assert r.get_json()["message"] == "Dieser Gutschein ist nicht gültig.", r.get_json()
    print("OK", len(templates), "templates", len(static), "scripts")
""")


def test_wheel_installs_into_a_clean_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True, timeout=600)
    wheel = next(dist.glob("advik_coupons-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   timeout=600)
    result = subprocess.run([str(python), "-c", CHECK], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK")
    cli = subprocess.run([str(venv / "bin" / "advik-coupons"), "init-db"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert (tmp_path / "instance" / "advik_coupons.sqlite").exists()
