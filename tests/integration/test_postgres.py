"""The production database: migrations, the signup and the purge on a real PostgreSQL server."""

from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db
from shared.catalogue.loader import load_catalogue
from shared.clock import SYSTEM_CLOCK
from shared.db import Base, insert_or_ignore
from shared.demo.seed import seed_patrons
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.models.throttle import LoginThrottle
from shared.signup.purge import purge_unconfirmed
from tests.conftest import portal_config
from tests.integration.test_status_constraints import assert_every_status_is_checked
from tests.support.factories import create_account
from tests.support.kiosk_api import register_kiosk
from tests.support.postgres import postgres_server
from tests.support.refunds import race_refunds
from tests.support.signup import checkout, signed_up, start_payment, walk_to_review


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server for this module."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str, mollie_sandbox) -> Iterator[Flask]:  # noqa: ANN001
    """The portal on a freshly migrated PostgreSQL database."""
    config = portal_config(tmp_path, mollie_sandbox.url, "http://127.0.0.1:9")
    app = create_app({**config, "DATABASE_URL": postgres_url})
    with app.app_context():
        upgrade()
        load_catalogue(db.session)
        db.session.commit()
        yield app
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def pooled_app(tmp_path: Path, postgres_url: str, size: int, overflow: int) -> Flask:
    """A portal on the server with a pool of `size` connections and `overflow` more."""
    config = portal_config(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
    pool = {"DATABASE_POOL_SIZE": size, "DATABASE_MAX_OVERFLOW": overflow}
    return create_app({**config, **pool, "DATABASE_URL": postgres_url, "DATABASE_POOL_TIMEOUT": 1})


def test_the_pool_opens_no_more_connections_than_configured(
    tmp_path: Path, postgres_url: str
) -> None:
    mine = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
    with pooled_app(tmp_path, postgres_url, 2, 1).app_context():
        with ExitStack() as held:
            connections = [held.enter_context(db.engine.connect()) for _ in range(3)]
            with pytest.raises(PoolTimeout):
                db.engine.connect()
            assert connections[0].scalar(mine) == 3
        db.engine.dispose()


def test_a_connection_the_server_dropped_is_replaced_unnoticed(
    tmp_path: Path, postgres_url: str
) -> None:
    backend = text("SELECT pg_backend_pid()")
    with pooled_app(tmp_path, postgres_url, 1, 0).app_context():
        with db.engine.connect() as connection:
            dropped = connection.scalar(backend)
        other = create_engine(postgres_url)
        with other.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        other.dispose()
        with db.engine.connect() as connection:
            assert connection.scalar(backend) not in (dropped, None)
        db.engine.dispose()


def test_insert_or_ignore_tells_an_insert_from_a_conflict_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    tables = [LoginThrottle.__table__]
    Base.metadata.create_all(engine, tables=tables)
    with Session(engine) as session:
        outcomes = [insert_or_ignore(session, LoginThrottle, {"key": "k"}) for _ in range(2)]
    Base.metadata.drop_all(engine, tables=tables)
    engine.dispose()
    assert outcomes == [True, False]


def test_migrations_reproduce_the_models_on_postgres(pg_app: Flask) -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert [d for d in differences if not _rewritten_expression(d)] == []


# Alembic compares an index on a CASE expression by its text, which PostgreSQL rewrites (casts,
# ELSE NULL): it reports the index removed and added. That the migration's index is the model's
# is checked where it matters, by the query-plan test: the query is planned on it.
REWRITTEN_EXPRESSION_INDEXES = {"ix_subscription_schedule_to_start"}


def _rewritten_expression(difference: tuple[object, ...]) -> bool:
    """A remove-and-add of an index whose expression PostgreSQL rewrites."""
    index = difference[1]
    return difference[0] in ("add_index", "remove_index") and (
        getattr(index, "name", None) in REWRITTEN_EXPRESSION_INDEXES
    )


def test_migrations_check_every_status_column_on_postgres(pg_app: Flask) -> None:
    assert_every_status_is_checked(db.engine)


@pytest.fixture
def client(pg_app: Flask) -> Iterator[FlaskClient]:
    """A browser on a second app instance (a request context of its own per request)."""
    browser_app = create_app(dict(pg_app.config), pg_app.extensions["clock"])
    yield browser_app.test_client()
    with browser_app.app_context():
        db.engine.dispose()


def test_signup_with_duplicate_webhooks_activates_once_on_postgres(client: FlaskClient) -> None:
    walk_to_review(client)
    path = checkout(start_payment(client), "paid")
    payment = db.session.scalars(select(Payment)).one()
    hook = f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    for _ in range(2):
        assert client.post(hook, data={"id": payment.provider_id}).status_code == 200
    assert "Welkom" in client.get(path).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Patron)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 2
    assert purge_unconfirmed(db.session, SYSTEM_CLOCK.now()).accounts == 0


def test_parallel_refunds_never_exceed_what_was_paid_on_postgres(
    pg_app: Flask, client: FlaskClient
) -> None:
    payment = signed_up(client, "0053")
    outcomes = race_refunds(pg_app, payment.id, Decimal("20.00"), 12)
    assert outcomes.count("ok") == 3 and outcomes.count("refund_too_much") == 9
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == Decimal("60.00")


# Where a NUL once reached PostgreSQL (which stores none in text) and made a server error: in an
# address it is refused at the door (400), in a form at its field.
NUL_REQUESTS = [
    ("GET", "/betaling/abc%00def", None, 400),
    ("POST", "/betalingen/webhook/ab%00cd/x", {"id": "tr_1"}, 400),
    ("POST", "/betalingen/webhook/abcd/x", {"id": "tr_\x00"}, 200),  # unknown: acknowledged
    ("GET", "/api/kiosk/v1/patrons/12%0034/balance", None, 400),
    ("GET", "/api/kiosk/v1/payments/ab%00cd", None, 400),
    ("GET", "/inloggen?next=/mijn-account%00", None, 400),
    ("POST", "/inloggen", {"login": "marieke\x00", "password": "x"}, 200),
    ("POST", "/wachtwoord-vergeten", {"login": "a\x00@example.nl"}, 200),
]


@pytest.mark.parametrize(("method", "path", "form", "status"), NUL_REQUESTS)
def test_a_nul_is_refused_before_it_reaches_postgres(
    pg_app: Flask, client: FlaskClient, method: str, path: str, form: dict | None, status: int
) -> None:
    client.application.config.update(PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=False)
    headers = {"Authorization": f"Bearer {register_kiosk(pg_app)}"}
    response = client.open(path, method=method, data=form, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if path in ("/inloggen", "/wachtwoord-vergeten"):
        assert "onzichtbare tekens" in response.get_data(as_text=True)  # said at the field


def test_a_nul_in_the_kiosk_api_s_json_is_refused_by_its_schema(
    pg_app: Flask, client: FlaskClient
) -> None:
    headers = {"Authorization": f"Bearer {register_kiosk(pg_app)}"}
    bodies = [
        {"method": "password", "login": "marieke\x00", "password": "x"},
        {"method": "card", "card_number": "2527\x00000000017"},
        {"method": "qr", "code": "\x00"},
    ]
    for body in bodies:
        response = client.post("/api/kiosk/v1/identify", json=body, headers=headers)
        assert response.status_code == 400 and response.json["error"] == "bad_request", body


def test_rows_added_after_seeding_get_new_ids_on_postgres(pg_app: Flask) -> None:
    seed_patrons(db.session, 3, "geheim-wachtwoord-12", SYSTEM_CLOCK.now())
    account = create_account(db.session, SYSTEM_CLOCK.now())  # the database numbers it
    db.session.commit()
    assert account.id == 4
