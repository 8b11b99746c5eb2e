"""Collecting a card at the kiosk: a number reserved for a blank card's chip, once the patron's
ID document was verified at this kiosk, while their subscription is valid."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.issuing import needs_card, pending_card
from shared.cards.numbers import normalise_chip_uid
from shared.db import lock_row
from shared.errors import DomainError
from shared.kiosks.id_checks import recently_verified
from shared.models.card import Card, CardStatus
from shared.models.patron import Patron
from shared.patrons.subscriptions import require_valid_subscription
from shared.timeutil import local_today


def reserve_card(
    session: Session, patron: Patron, device_id: int, chip_uid: str, now: datetime
) -> Card:
    """The card number for this blank chip: the same one on a retry for the same chip."""
    uid = normalise_chip_uid(chip_uid)
    lock_row(session, Patron, patron.id)  # one reservation check-and-create per patron at a time
    if not needs_card(session, patron):
        raise DomainError("card_not_needed")
    require_valid_subscription(patron, local_today(now))
    if not recently_verified(session, patron, device_id, now):
        raise DomainError("id_not_verified")
    on_chip = list(session.scalars(select(Card).where(Card.chip_uid == uid)))
    if any(card.status != CardStatus.PENDING for card in on_chip):
        raise DomainError("chip_in_use")
    mine = next((card for card in on_chip if card.patron_id == patron.id), None)
    for abandoned in (card for card in on_chip if card is not mine):
        session.delete(abandoned)  # another patron's reservation: the chip is in this hand now
    return mine or pending_card(session, patron, uid, now)
