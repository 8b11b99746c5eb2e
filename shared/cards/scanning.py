"""A blank card scanned at the desk: its number checked (a card number of one of our branches,
not given out) and the card stored, waiting to be made active."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.cards.lookup import card_number_taken
from shared.cards.numbers import is_valid_card_number
from shared.db import lock_row
from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.catalogue import Branch
from shared.models.patron import Patron
from shared.patrons.subscriptions import current_subscription

# How the database names the unique card number when two desks store it at once: PostgreSQL
# by the constraint, SQLite by the column.
NUMBER_CONSTRAINTS = ("uq_card_number", "card.number")


def check_scanned_number(session: Session, patron: Patron, number: str) -> None:
    """Refuse a scanned number that is no card number of one of our branches or is given out
    already, and a patron whose subscription has no card; the patron's row is held until
    commit."""
    if not is_valid_card_number(number):
        raise DomainError("card_number_invalid")
    if not _our_branch(session, number):
        raise DomainError("card_number_other_branch")
    lock_row(session, Patron, patron.id)
    if card_number_taken(session, number):
        raise DomainError("card_number_taken")
    subscription = current_subscription(patron)
    if subscription is not None and not subscription.type.has_card:
        raise DomainError("card_not_needed_here")


def _our_branch(session: Session, number: str) -> bool:
    """Whether the number's branch code (the four digits after the 2) is one of our branches."""
    code = number[1:5]
    return session.scalar(select(Branch.id).where(Branch.code == code)) is not None


def scanned_card(
    session: Session, patron: Patron, number: str, role: CardRole, now: datetime
) -> Card:
    """The patron's new card of this number, stored waiting to be made active. The same number
    stored for another patron at the same moment (another desk) is refused as given out."""
    card = Card(patron_id=patron.id, number=number, role=role, status=CardStatus.PENDING)
    card.issued_at = now
    try:
        with session.begin_nested():
            session.add(card)
    except IntegrityError as error:
        if not any(name in str(error.orig) for name in NUMBER_CONSTRAINTS):
            raise
        raise DomainError("card_number_taken") from error
    return card
