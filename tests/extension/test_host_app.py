"""Mounting the extension in a host Flask app, with and without the host's own db."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from advik_coupons import AdvikCoupons
from advik_coupons.services.accounts import create_token
from advik_coupons.state import get_state
from advik_coupons.store.schema import upgrade


class HostBase(DeclarativeBase):
    pass


class HostBooking(HostBase):
    __tablename__ = "host_bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40))


def host_app(db_path: Path, **config: object) -> Flask:
    app = Flask("host_site")
    app.config.update(SECRET_KEY="host", TESTING=True, ADVIK_HOOKS_DIR="",
                      SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}")
    app.config.update(config)

    @app.get("/")
    def home() -> str:
        return "host home"

    return app


def test_host_with_its_own_db_shares_it(tmp_path: Path) -> None:
    app = host_app(tmp_path / "host.sqlite")
    db = SQLAlchemy(model_class=HostBase)
    db.init_app(app)
    extension = AdvikCoupons(app, db=db)
    assert app.extensions["advik_coupons"] is extension
    with app.app_context():
        db.create_all()
        upgrade(db.engine)
        assert get_state().db is db
        # The host's tables and the plugin's live side by side in one database.
        db.session.add(HostBooking(ref="H-1"))
        db.session.commit()
        token = create_token("host")
        names = set(db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'")).scalars())
    assert {"host_bookings", "advik_coupons", "advik_redemptions"} <= names
    client = app.test_client()
    assert client.get("/").data == b"host home"
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/coupons", headers=headers, json={
        "name": "Host", "code": "HOST5", "discount_type": "fixed", "discount_value": "5"})
    assert created.status_code == 201, created.json
    quoted = client.post("/api/v1/quote", headers=headers, json={"code": "host5",
                                                                 "subtotal": "20"})
    assert quoted.json["total"] == "15.00"
    with app.app_context():
        assert db.session.execute(select(HostBooking.ref)).scalar_one() == "H-1"


def test_the_plugin_never_commits_or_drops_the_hosts_pending_changes(tmp_path: Path) -> None:
    from decimal import Decimal

    from advik_coupons import Booking, CouponRejected, quote, redeem
    from tests.conftest import make_coupon

    app = host_app(tmp_path / "iso.sqlite")
    db = SQLAlchemy(model_class=HostBase)
    db.init_app(app)
    AdvikCoupons(app, db=db)
    with app.app_context():
        db.create_all()
        upgrade(db.engine)
    make_coupon(app, code="ISO")
    with app.app_context():
        pending = HostBooking(ref="pending")
        db.session.add(pending)
        with pytest.raises(CouponRejected):
            quote("missing", Booking(subtotal=Decimal("10")))
        quote("iso", Booking(subtotal=Decimal("10")))
        redeem("iso", Booking(subtotal=Decimal("10"), booking_ref="H-9"))
        assert pending in db.session.new  # still pending: not committed, not rolled back
        db.session.rollback()
        assert db.session.execute(select(HostBooking)).first() is None


def test_host_without_db_gets_the_extensions_own(tmp_path: Path) -> None:
    app = Flask("host_plain", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="x", ADVIK_DATABASE_URL=f"sqlite:///{tmp_path}/a.sqlite",
                      ADVIK_HOOKS_DIR="", ADVIK_URL_PREFIX="/plugins/coupons")
    ext = AdvikCoupons()
    ext.init_app(app)
    with app.app_context():
        upgrade(get_state().engine)
        token = create_token("t")
    r = app.test_client().get("/plugins/coupons/api/v1/coupons",
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json["total"] == 0


def test_settings_are_defaults_the_host_can_override(tmp_path: Path) -> None:
    app = host_app(tmp_path / "h.sqlite", ADVIK_CURRENCY="EUR")
    SQLAlchemy(app)
    AdvikCoupons(app)
    assert app.config["ADVIK_CURRENCY"] == "EUR"
    assert app.config["ADVIK_TIMEZONE"] == "UTC"
    assert app.config["ADVIK_APPLY_RATE_LIMIT"] == "30/minute"


def test_misuse_raises_clear_runtime_errors(tmp_path: Path) -> None:
    app = host_app(tmp_path / "h.sqlite")
    SQLAlchemy(app)
    AdvikCoupons(app)
    with pytest.raises(RuntimeError, match="already set up"):
        AdvikCoupons(app)
    other = host_app(tmp_path / "o.sqlite")
    with pytest.raises(RuntimeError, match="db.init_app"):
        AdvikCoupons(other, db=SQLAlchemy())
    bare = Flask("bare")
    with bare.app_context(), pytest.raises(RuntimeError, match="not set up"):
        get_state()
    with pytest.raises(RuntimeError, match="ADVIK_TIMEZONE"):
        AdvikCoupons(host_app(tmp_path / "z.sqlite", ADVIK_TIMEZONE="Mars/Olympus"))


def test_host_flask_command_has_the_advik_group(tmp_path: Path) -> None:
    app = host_app(tmp_path / "cli.sqlite")
    SQLAlchemy(app)
    AdvikCoupons(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["advik", "init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["advik", "create-token", "--name", "host-ci"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    client = app.test_client()
    assert client.get("/api/v1/coupons", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 200


@pytest.mark.postgres
def test_host_on_postgresql_mounts_the_extension_with_its_own_db(tmp_path: Path) -> None:
    """A host whose Flask-SQLAlchemy ``db`` is on PostgreSQL: migrate, create, quote, redeem."""
    from decimal import Decimal

    from sqlalchemy.engine import make_url

    from advik_coupons import Booking, redeem
    from tests.conftest import PG_URL, drop_plugin_tables, ensure_pg_database, unavailable

    url = make_url(PG_URL)
    url = url.set(database=f"{url.database}_host").render_as_string(hide_password=False)
    try:
        ensure_pg_database(url)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("PostgreSQL at " + PG_URL.split("@")[-1], exc)
    app = host_app(tmp_path / "unused.sqlite", SQLALCHEMY_DATABASE_URI=url)
    db = SQLAlchemy(model_class=HostBase)
    db.init_app(app)
    AdvikCoupons(app, db=db)
    with app.app_context():
        drop_plugin_tables(db.engine)
        HostBase.metadata.drop_all(db.engine)
        db.create_all()
        upgrade(db.engine)
        assert get_state().db is db and db.engine.dialect.name == "postgresql"
        db.session.add(HostBooking(ref="H-1"))
        db.session.commit()
        token = create_token("host")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/coupons", headers=headers, json={
        "name": "Host", "code": "HOSTPG", "discount_type": "fixed", "discount_value": "5"})
    assert created.status_code == 201, created.json
    quoted = client.post("/api/v1/quote", headers=headers,
                         json={"code": "hostpg", "subtotal": "20"})
    assert quoted.json["total"] == "15.00"
    with app.app_context():
        pending = HostBooking(ref="pending")
        db.session.add(pending)
        first = redeem("hostpg", Booking(subtotal=Decimal("20"), booking_ref="H-2"))
        again = redeem("hostpg", Booking(subtotal=Decimal("20"), booking_ref="H-2"))
        assert first.created and not again.created
        assert again.redemption.id == first.redemption.id
        assert pending in db.session.new  # the host's change is still its own
        db.session.rollback()
        assert db.session.execute(select(HostBooking.ref)).scalars().all() == ["H-1"]
        db.session.remove()
        get_state().sessions.remove()
        drop_plugin_tables(db.engine)
        HostBase.metadata.drop_all(db.engine)
        db.engine.dispose()
