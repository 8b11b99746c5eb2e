"""Status columns: the database holds only their enum's values, as the migrations built it."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import Engine, Enum, inspect, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from shared.models.patron import PaymentPlan, Subscription
from tests.support.signup import signed_up

BEFORE_CHECKS = "e923f1a28976"
QUOTED = re.compile(r"'([^']*)'")


def enum_columns() -> list[tuple[str, str, set[str]]]:
    """Every enum-typed column of the models: table, column, and the values it may hold."""
    return [
        (table.name, column.name, set(column.type.enums))
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    ]


def checked_values(engine: Engine) -> dict[tuple[str, str], set[str]]:
    """What the database's CHECK constraints named ck_<table>_<column> allow, per column."""
    inspector = inspect(engine)
    found = {}
    for table in inspector.get_table_names():
        for check in inspector.get_check_constraints(table):
            column = (check["name"] or "").removeprefix(f"ck_{table}_")
            found[(table, column)] = set(QUOTED.findall(check["sqltext"]))
    return found


def assert_every_status_is_checked(engine: Engine) -> None:
    """Each enum column has a CHECK constraint allowing exactly its enum's values."""
    checked = checked_values(engine)
    columns = enum_columns()
    assert len(columns) >= 20  # patron, subscription, payment, refund, mandate, card, account, …
    for table, column, values in columns:
        assert checked.get((table, column)) == values, f"{table}.{column}"


def test_the_migrations_check_every_status_column(app: Flask) -> None:
    assert_every_status_is_checked(db.engine)


def test_a_value_outside_the_enum_is_refused(app: Flask) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE subscription_type SET validity = 'someday'"))
    db.session.rollback()


def test_subscriptions_paid_once_become_the_plan_once(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    signed_up(client)
    db.session.remove()
    downgrade(revision=BEFORE_CHECKS)
    db.session.execute(text("UPDATE subscription SET paid_by = 'ideal'"))
    db.session.commit()
    upgrade()
    subscription = db.session.scalars(select(Subscription)).one()
    assert subscription.paid_by == PaymentPlan.ONCE
