"""The migration that allows one active main card per patron: a patron who has two keeps the
newest, the other is replaced, and the upgrade goes through."""

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal.extensions import db
from portal.wiring import now
from shared.models.card import Card, CardStatus
from tests.support.factories import create_card, create_patron

BEFORE_ONE_ACTIVE_MAIN = "9c4e2a7b1d58"


def test_a_patron_with_two_active_main_cards_keeps_the_newest(app: Flask) -> None:
    patron = create_patron(db.session, None, now())
    older = create_card(db.session, patron, now(), status=CardStatus.REPLACED).id
    newer = create_card(db.session, patron, now()).id
    db.session.commit()
    db.session.remove()
    downgrade(revision=BEFORE_ONE_ACTIVE_MAIN)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE card SET status = 'active'"))
    upgrade()
    statuses = {row.id: row.status for row in db.session.execute(select(Card.id, Card.status))}
    assert statuses == {older: CardStatus.REPLACED, newer: CardStatus.ACTIVE}
