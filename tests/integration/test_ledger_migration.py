"""The ledger migration books what was paid before the ledger existed, exactly once."""

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from portal.extensions import db
from shared.models.ledger import LedgerEntry
from shared.models.patron import Patron
from shared.payments import ledger
from tests.support.signup import signed_up

BEFORE_LEDGER = "65cde8c90613"


def test_payments_from_before_the_ledger_are_booked(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    payment = signed_up(client)
    db.session.remove()
    downgrade(revision=BEFORE_LEDGER)
    upgrade()
    patron = db.session.scalars(select(Patron)).one()
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(e.entry_type, e.amount, e.payment_id) for e in entries] == [
        ("charge", payment.amount, None),
        ("payment", payment.amount, payment.id),
    ]
    assert ledger.balance(db.session, patron.id) == 0
