"""Secondary cards (*volgpas*): a second card of the patron that borrows but never logs in, and
goes with the patron's active main card."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.cards.lookup import main_card
from shared.cards.scanning import check_scanned_number, scanned_card
from shared.errors import DomainError
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron
from shared.patrons.subscriptions import require_valid_subscription
from shared.timeutil import local_today


def issue_secondary_card(session: Session, patron: Patron, number: str, now: datetime) -> Card:
    """Staff: the scanned blank card becomes a secondary card going with the active main card,
    while the subscription (one with a card) is valid."""
    check_scanned_number(session, patron, number)
    main = main_card(session, patron)
    if main is None:
        raise DomainError("no_main_card")
    require_valid_subscription(patron, local_today(now))
    card = scanned_card(session, patron, number, CardRole.SECONDARY, now)
    card.status, card.main_card_id = CardStatus.ACTIVE, main.id
    session.flush()
    return card


def attach_secondaries(session: Session, patron: Patron) -> None:
    """All the patron's secondary cards go with their active main card (after a new main card,
    or a merge that brought another record's cards); nothing changes while none is active."""
    main = main_card(session, patron)
    if main is None:
        return
    session.execute(
        update(Card)
        .where(Card.patron_id == patron.id, Card.role == CardRole.SECONDARY)
        .values(main_card_id=main.id)
        .execution_options(synchronize_session="fetch")
    )
