"""Fixtures for the whole suite: a migrated database per test, the portal app, real servers."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db
from shared.catalogue.loader import load_catalogue
from shared.clock import ManualClock
from shared.db import Base
from shared.models.mail import OutboxMail
from shared.oidc.keys import KEY_DIR
from tests.support.servers import free_port, running_server

pytest_plugins = ["tests.support.mollie_sandbox", "tests.support.pcsc", "tests.support.kiosk"]
TEST_SECRET = "test-secret-key-not-for-production"


def portal_config(tmp: Path, sandbox_url: str, public_url: str) -> dict[str, object]:
    """Portal settings for a test: files under tmp, the sandbox, a fixed secret."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "SECRET_KEY": TEST_SECRET,
        "MOLLIE_API_KEY": "test_portal_tests",
        "MOLLIE_API_ENDPOINT": sandbox_url,
        "MAIL_DIR": str(tmp / "mail"),
        "PUBLIC_URL": public_url,
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once by the Alembic migrations and loaded with the catalogue (its
    instance folder beside it, with signing keys)."""
    tmp = tmp_path_factory.mktemp("template")
    app = create_app(portal_config(tmp, "http://127.0.0.1:9", "http://127.0.0.1:9"))
    with app.app_context():
        upgrade()
        load_catalogue(db.session)
        db.session.commit()
        db.engine.dispose()
    return tmp / "portal.sqlite3"


@pytest.fixture
def clock() -> ManualClock:
    """The test's clock: it stands still until the test moves it (the portal tells time by it)."""
    return ManualClock()


@pytest.fixture
def app(
    tmp_path: Path,
    migrated_database: Path,
    mollie_sandbox,  # noqa: ANN001
    clock: ManualClock,
) -> Iterator[Flask]:
    """The portal on a fresh copy of the migrated database, paying at the sandbox."""
    shutil.copy(migrated_database, tmp_path / "portal.sqlite3")
    # The template's single sign-on keys too: generating RSA keys for every test is slow.
    shutil.copytree(
        migrated_database.parent / "instance" / KEY_DIR, tmp_path / "instance" / KEY_DIR
    )
    port = free_port()
    config = portal_config(tmp_path, mollie_sandbox.url, f"http://127.0.0.1:{port}")
    app = create_app(config, clock)
    app.config["SERVER_PORT"] = port
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def new_browser(app: Flask) -> Iterator[Callable[[], FlaskClient]]:
    """Makes browsers: clients of another app instance on the same database.

    pytest-flask keeps one app context for the whole test, which would share `g` (CSRF and
    locale caches) between requests; a second instance gives each request its own, as in production.
    """
    instances: list[Flask] = []

    def make() -> FlaskClient:
        instance = create_app(dict(app.config), app.extensions["clock"])
        instances.append(instance)
        return instance.test_client()

    yield make
    for instance in instances:
        with instance.app_context():
            db.engine.dispose()


@pytest.fixture
def client(new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """The patron's browser."""
    return new_browser()


@pytest.fixture
def portal_server(app: Flask) -> Iterator[str]:
    """The same portal app served on its PUBLIC_URL port, so sandbox webhooks reach it."""
    with running_server(app, port=app.config["SERVER_PORT"]) as url:
        yield url


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A bare SQLite database with only the outbox table, for mail tests without the app."""
    engine = create_engine(f"sqlite:///{tmp_path / 'mail.db'}")
    Base.metadata.create_all(engine, tables=[OutboxMail.__table__])
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the bare outbox database."""
    with Session(engine) as session:
        yield session
