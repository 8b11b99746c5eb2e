"""The number the desk knows a patron by (and the patron screen's address holds)."""

from sqlalchemy.orm import Session

from shared.cards.lookup import main_card
from shared.models.card import Card
from shared.models.patron import Patron


def number_with_card(patron: Patron, card: Card | None) -> str:
    """The main card's number, given the patron's active main card; else the temporary or
    system number."""
    return card.number if card is not None else patron.customer_number


def patron_number(session: Session, patron: Patron) -> str:
    """The patron's active main card's number, else the temporary or system number."""
    return number_with_card(patron, main_card(session, patron))
