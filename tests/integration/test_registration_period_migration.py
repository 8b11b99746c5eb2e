"""The signups paid before their payment named its period get the first period, once."""

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from portal.extensions import db
from shared.models.patron import Subscription
from shared.models.payment import Payment
from tests.support.signup import signed_up

BEFORE = "d8f3b6a2e4c1"


def test_a_signup_paid_before_names_the_subscriptions_first_period(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    signed_up(client)
    db.session.remove()
    downgrade(revision=BEFORE)
    assert db.session.scalars(select(Payment.period_start)).all() == [None]
    db.session.remove()
    upgrade()
    start = db.session.scalars(select(Subscription.start_date)).one()
    assert db.session.scalars(select(Payment.period_start)).all() == [start]
