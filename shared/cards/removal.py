"""Deleting a card added by mistake, before it was ever used."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.cards.blocking import blocked_status
from shared.cards.issuing import rename_login
from shared.cards.lookup import main_card
from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron


def delete_unused_card(session: Session, patron: Patron, card: Card) -> None:
    """Delete a card that never identified its holder and was not followed by another; a main
    card only while the patron has no active secondary card (it needs a main card). The main
    card it replaced is back, blocked (or lost) for the reason it was replaced, and a login
    named after the deleted number takes that card's number, else the active main card's or
    the customer number. Deleting the active main card blocks lending."""
    _refuse_deleting(session, card)
    previous = card.replaces
    if card.role == CardRole.MAIN and card.status == CardStatus.ACTIVE:
        patron.lending_blocked = True
    if previous is not None and previous.status == CardStatus.REPLACED:
        previous.status = blocked_status(previous.status_reason)
    account = patron.login_account
    if account is not None and account.username_key == card.number.casefold():
        fallback = _number_without(session, patron, card)
        if fallback:
            rename_login(session, patron, fallback)
    # Secondary cards still going with it (all blocked) go with the card it replaced.
    session.execute(
        update(Card)
        .where(Card.main_card_id == card.id)
        .values(main_card_id=previous.id if previous is not None else None)
        .execution_options(synchronize_session="fetch")
    )
    session.delete(card)
    session.flush()


def _refuse_deleting(session: Session, card: Card) -> None:
    """Refuse a used card, one replaced or followed by another main card, and a main card while
    the patron has an active secondary card."""
    if card.last_used_at is not None:
        raise DomainError("card_used")
    followed = select(Card.id).where(Card.replaces_id == card.id)
    if card.status == CardStatus.REPLACED or session.scalar(followed.limit(1)) is not None:
        raise DomainError("card_was_replaced")
    active_secondary = select(Card.id).where(
        Card.patron_id == card.patron_id,
        Card.role == CardRole.SECONDARY,
        Card.status == CardStatus.ACTIVE,
    )
    if card.role == CardRole.MAIN and session.scalar(active_secondary.limit(1)) is not None:
        raise DomainError("card_has_secondary")


def _number_without(session: Session, patron: Patron, card: Card) -> str:
    """The number the patron goes by once the card is gone: the card it replaced, else the
    active main card (another one), else the customer number."""
    if card.replaces is not None:
        return card.replaces.number
    main = main_card(session, patron)
    return main.number if main is not None and main.id != card.id else patron.customer_number
