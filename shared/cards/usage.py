"""A card in use: its number identified its holder (a login, a tap at the kiosk)."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.models.card import Card, CardStatus


def note_use(session: Session, number: str, now: datetime) -> None:
    """Note that the active card with this number (if it is one) identified its holder now."""
    session.execute(
        update(Card)
        .where(Card.number == number, Card.status == CardStatus.ACTIVE)
        .values(last_used_at=now)
        .execution_options(synchronize_session="fetch")
    )
