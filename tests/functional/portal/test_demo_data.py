"""`flask demo load`: a card holder who owes, ready to tap at the kiosk; loading again is safe."""

from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.wiring import now
from shared.accounts.login import log_in
from shared.cards.issuing import needs_card
from shared.demo.numbers import DEMO_CARD, DEMO_NEWCOMER, DEMO_PASSWORD
from shared.demo.patrons import DEMO_NEWCOMER_BIRTH
from shared.models.card import Card
from shared.models.patron import Patron
from shared.payments import ledger


def test_demo_load_is_idempotent(app: Flask) -> None:
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0 and DEMO_CARD in result.output
    assert db.session.scalar(select(func.count()).select_from(Patron)) == 2
    card = db.session.scalars(select(Card)).one()
    assert card.number == DEMO_CARD and ledger.balance(db.session, card.patron_id) == Decimal(
        "12.50"
    )


def test_the_demo_newcomer_logs_in_and_needs_a_card(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["demo", "load"])
    account = log_in(db.session, DEMO_NEWCOMER, DEMO_PASSWORD, now()).account
    newcomer = db.session.scalars(select(Patron).where(Patron.login_account_id == account.id)).one()
    assert (newcomer.surname, newcomer.birth_date) == ("Dijk", DEMO_NEWCOMER_BIRTH)
    assert newcomer.lending_blocked and needs_card(db.session, newcomer)
