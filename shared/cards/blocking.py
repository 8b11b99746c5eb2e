"""Blocking a card (lost, stolen, damaged) and unblocking it when it is found again."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.lookup import main_card
from shared.db import lock_row
from shared.errors import DomainError
from shared.models.card import Card, CardReason, CardRole, CardStatus
from shared.models.patron import Patron
from shared.patrons.subscriptions import require_valid_subscription
from shared.timeutil import local_today

BLOCKED_STATUSES = (CardStatus.BLOCKED, CardStatus.LOST)


def block_main_card(session: Session, patron: Patron) -> Card:
    """Report the main card lost (the kiosk): it stops working and lending waits for a card."""
    lock_row(session, Patron, patron.id)
    card = main_card(session, patron)
    if card is None:
        raise DomainError("no_card")
    return block_card(session, patron, card, CardReason.LOST)


def block_card(session: Session, patron: Patron, card: Card, reason: CardReason) -> Card:
    """The active card stops working: *lost* when reported lost, else *blocked*, with the
    reason kept. A main card blocks lending until it is unblocked or replaced."""
    if card.status != CardStatus.ACTIVE:
        raise DomainError("card_not_active_to_block")
    card.status, card.status_reason = blocked_status(reason), reason
    if card.role == CardRole.MAIN:
        patron.lending_blocked = True
    session.flush()
    return card


def blocked_status(reason: str | None) -> CardStatus:
    """The status of a card that stopped working for this reason: *lost* or *blocked*."""
    return CardStatus.LOST if reason == CardReason.LOST else CardStatus.BLOCKED


def unblock_card(session: Session, patron: Patron, card: Card, now: datetime) -> Card:
    """A blocked or lost card found again works again, under a valid subscription. A main card
    only while no main card was issued since (lending is unblocked again); a secondary card
    only beside an active main card, which it goes with."""
    if card.status == CardStatus.REPLACED:
        raise DomainError("card_replaced_since")
    if card.status not in BLOCKED_STATUSES:
        raise DomainError("card_not_blocked")
    if card.role == CardRole.MAIN and _main_card_since(session, card):
        raise DomainError("card_replaced_since")
    require_valid_subscription(patron, local_today(now))
    if card.role == CardRole.MAIN:
        patron.lending_blocked = False
    else:
        main = main_card(session, patron)
        if main is None:
            raise DomainError("no_main_card")
        card.main_card_id = main.id
    card.status, card.status_reason = CardStatus.ACTIVE, None
    session.flush()
    return card


def _main_card_since(session: Session, card: Card) -> bool:
    """Whether the patron got another main card after this one (or has another one active)."""
    later = select(Card.id).where(
        Card.patron_id == card.patron_id,
        Card.role == CardRole.MAIN,
        Card.status != CardStatus.PENDING,
        Card.id != card.id,
        (Card.issued_at > card.issued_at)
        | (Card.id > card.id)
        | (Card.status == CardStatus.ACTIVE),
    )
    return session.scalar(later.limit(1)) is not None
