"""Fixtures for the whole suite: a migrated database per test, the portal app, real servers."""

import os

# Before anything imports the password hasher (it reads these once): argon2's cheapest parameters,
# as the suite hashes and checks thousands of passwords (0.2 s each with the production ones).
# The servers the tests start inherit them; test_password_cost checks the production ones.
os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "64")

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
from shared.paths import TRANSLATIONS_DIR
from tests.support.databases import (
    SQLITE,
    TEMPLATE,
    DatabaseCopies,
    PostgresCopies,
    SqliteCopies,
    database_kind,
)
from tests.support.postgres import postgres_server
from tests.support.servers import free_port, running_server
from tests.support.translations import compile_catalogues

pytest_plugins = ["tests.support.mollie_sandbox", "tests.support.pcsc", "tests.support.kiosk"]
TEST_SECRET = "test-secret-key-not-for-production"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the message catalogues before any test renders a page in Dutch or English."""
    compile_catalogues(TRANSLATIONS_DIR)


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


def migrate(tmp: Path, url: str) -> None:
    """Build a database by the Alembic migrations and load the catalogue (the instance folder
    under tmp gets the signing keys)."""
    app = create_app(
        {**portal_config(tmp, "http://127.0.0.1:9", "http://127.0.0.1:9"), "DATABASE_URL": url}
    )
    with app.app_context():
        upgrade()
        load_catalogue(db.session)
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database built once by the migrations, with the catalogue (its instance folder
    beside it, with signing keys)."""
    tmp = tmp_path_factory.mktemp("template")
    migrate(tmp, f"sqlite:///{tmp / 'portal.sqlite3'}")
    return tmp / "portal.sqlite3"


@pytest.fixture(scope="session")
def portal_databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseCopies]:
    """Where each test's portal database comes from: copies of a migrated template, on SQLite
    or, with OPENBALIE_TEST_DATABASE=postgresql, on a throwaway PostgreSQL server."""
    if database_kind() == SQLITE:
        yield SqliteCopies(request.getfixturevalue("migrated_database"))
        return
    with postgres_server(TEMPLATE) as url:
        tmp = tmp_path_factory.mktemp("template")
        migrate(tmp, url)
        copies = PostgresCopies(url, tmp / "instance")
        yield copies
        copies.close()


@pytest.fixture
def clock() -> ManualClock:
    """The test's clock: it stands still until the test moves it (the portal tells time by it)."""
    return ManualClock()


@pytest.fixture
def app(
    tmp_path: Path,
    portal_databases: DatabaseCopies,
    mollie_sandbox,  # noqa: ANN001
    clock: ManualClock,
) -> Iterator[Flask]:
    """The portal on a fresh copy of the migrated database, paying at the sandbox."""
    # The template's single sign-on keys too: generating RSA keys for every test is slow.
    shutil.copytree(portal_databases.instance / KEY_DIR, tmp_path / "instance" / KEY_DIR)
    port = free_port()
    config = portal_config(tmp_path, mollie_sandbox.url, f"http://127.0.0.1:{port}")
    with portal_databases.fresh(tmp_path) as url:
        app = create_app({**config, "DATABASE_URL": url}, clock)
        app.config["SERVER_PORT"] = port
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def portal_instance(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Makes other instances of the portal on the test's database and clock, with settings
    changed by keyword; their connections are closed after the test."""
    instances: list[Flask] = []

    def make(**settings: object) -> Flask:
        instance = create_app({**app.config, **settings}, app.extensions["clock"])
        instances.append(instance)
        return instance

    yield make
    for instance in instances:
        with instance.app_context():
            db.engine.dispose()


@pytest.fixture
def new_browser(portal_instance: Callable[..., Flask]) -> Callable[[], FlaskClient]:
    """Makes browsers: clients of another app instance on the same database.

    pytest-flask keeps one app context for the whole test, which would share `g` (CSRF and
    locale caches) between requests; a second instance, with no context of its own pushed, gives
    each request its own, as in production. The browsers share it, as they would share a portal
    process (making an instance takes a tenth of a second).
    """
    browsers_portal: list[Flask] = []

    def browser() -> FlaskClient:
        if not browsers_portal:
            browsers_portal.append(portal_instance())
        return browsers_portal[0].test_client()

    return browser


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
