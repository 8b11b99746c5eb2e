"""Deleting a card added by mistake, before it was ever used."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.issuing import rename_login
from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron


def delete_unused_card(session: Session, patron: Patron, card: Card) -> None:
    """Delete a card that never identified its holder, was not replaced and has no secondary
    card going with it. An active main card leaves lending blocked (no card), and a login named
    after it is named after the patron's customer number again."""
    if card.last_used_at is not None:
        raise DomainError("card_used")
    if card.status == CardStatus.REPLACED:
        raise DomainError("card_was_replaced")
    followers = select(Card.id).where(Card.main_card_id == card.id)
    if session.scalar(followers.limit(1)) is not None:
        raise DomainError("card_has_secondary")
    if card.role == CardRole.MAIN and card.status == CardStatus.ACTIVE:
        patron.lending_blocked = True
        if patron.customer_number:
            rename_login(session, patron, card.number, patron.customer_number)
    session.delete(card)
    session.flush()
