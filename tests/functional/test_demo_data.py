"""`flask demo load`: a card holder who owes, ready to tap at the kiosk; loading again is safe."""

from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from shared import ledger
from shared.db import db
from shared.demo import DEMO_CARD
from shared.models.card import Card
from shared.models.patron import Patron


def test_demo_load_is_idempotent(app: Flask) -> None:
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0 and DEMO_CARD in result.output
    assert db.session.scalar(select(func.count()).select_from(Patron)) == 1
    card = db.session.scalars(select(Card)).one()
    assert card.number == DEMO_CARD and ledger.balance(db.session, card.patron_id) == Decimal(
        "12.50"
    )
