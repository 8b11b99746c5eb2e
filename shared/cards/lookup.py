"""A patron's cards: the main card, the cards to show, and whom a card identifies."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron


def main_card(session: Session, patron: Patron) -> Card | None:
    """The patron's active main card, if one was issued."""
    return session.scalar(
        select(Card).where(
            Card.patron_id == patron.id,
            Card.role == CardRole.MAIN,
            Card.status == CardStatus.ACTIVE,
        )
    )


def card_number_taken(session: Session, number: str) -> bool:
    """Whether a card has this number."""
    return session.scalar(select(Card.id).where(Card.number == number)) is not None


def newest_main_card(session: Session, patron: Patron) -> Card | None:
    """The main card issued last (active, blocked, lost or replaced), if any was."""
    query = select(Card).where(
        Card.patron_id == patron.id,
        Card.role == CardRole.MAIN,
        Card.status != CardStatus.PENDING,
    )
    return session.scalar(query.order_by(Card.issued_at.desc(), Card.id.desc()).limit(1))


def cards_of(session: Session, patron: Patron) -> list[Card]:
    """The patron's cards, main card first (not numbers reserved for a card being encoded)."""
    query = select(Card).where(Card.patron_id == patron.id, Card.status != CardStatus.PENDING)
    return sorted(session.scalars(query), key=lambda c: (c.role != CardRole.MAIN, c.id))


def card_holder(session: Session, card: Card) -> Patron:
    """The patron a card identifies; a secondary or blocked card is refused with its own answer."""
    patron = session.get_one(Patron, card.patron_id)
    if card.role == CardRole.SECONDARY:
        main = main_card(session, patron)
        if main is None:
            raise DomainError("secondary_card_only")
        raise DomainError("secondary_card", main=mask_number(main.number))
    if card.status != CardStatus.ACTIVE:
        raise DomainError("card_not_active")
    return patron


def mask_number(number: str) -> str:
    """A card number with all but the last four digits hidden."""
    return "•" * max(len(number) - 4, 0) + number[-4:]
