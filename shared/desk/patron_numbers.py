"""The number the desk knows a patron by (and the patron screen's address holds): the active
main card's, else the temporary or system number; read for many patrons at once."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron


@dataclass(frozen=True)
class Found:
    """A patron with their active main card, if they have one."""

    patron: Patron
    card: Card | None

    @property
    def number(self) -> str:
        """The number the patron screen is opened with."""
        return number_with_card(self.patron, self.card)


def number_with_card(patron: Patron, card: Card | None) -> str:
    """The main card's number, given the patron's active main card; else the temporary or
    system number."""
    return card.number if card is not None else patron.customer_number


def with_main_cards(session: Session, patron_ids: list[int]) -> list[Found]:
    """These patrons, in this order, with their main cards: two queries for any number."""
    if not patron_ids:
        return []
    patrons = {p.id: p for p in session.scalars(select(Patron).where(Patron.id.in_(patron_ids)))}
    cards = main_cards(session, patron_ids)
    return [Found(patrons[id_], cards.get(id_)) for id_ in patron_ids if id_ in patrons]


def main_cards(session: Session, patron_ids: list[int]) -> dict[int, Card]:
    """The active main card of each of these patrons that has one."""
    query = select(Card).where(
        Card.patron_id.in_(patron_ids), Card.role == CardRole.MAIN, Card.status == CardStatus.ACTIVE
    )
    return {card.patron_id: card for card in session.scalars(query)}
