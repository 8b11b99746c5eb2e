"""Finding patrons: by customer, system or card number, and the patrons a login serves."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.card import Card, CardStatus
from shared.models.patron import Patron


def find_patron(session: Session, number: str) -> Patron | None:
    """The patron with this customer or system number, or an active card with this number (the
    record a merged duplicate went into, for the duplicate's numbers). A secondary card finds
    its holder too (the kiosk's balance and payments); logging in refuses it (`card_holder`)."""
    holder = select(Card.patron_id).where(Card.number == number, Card.status == CardStatus.ACTIVE)
    found = session.scalar(
        select(Patron).where(
            (Patron.temporary_number == number)
            | (Patron.system_number == number)
            | Patron.id.in_(holder)
        )
    )
    return None if found is None else surviving(session, found)


def surviving(session: Session, patron: Patron) -> Patron:
    """The patron, or the record it was merged into when it is a merged duplicate (a merge
    repoints the records merged before: one step always reaches a record in use)."""
    if patron.merged_into_id is None:
        return patron
    return session.get_one(Patron, patron.merged_into_id)


def find_patron_by_any_number(session: Session, number: str) -> Patron | None:
    """The patron as `find_patron` finds them, or by a card no longer in use (lost, blocked or
    replaced): staff look a patron up by whatever number is in front of them."""
    found = find_patron(session, number)
    if found is not None:
        return found
    holder = select(Card.patron_id).where(Card.number == number, Card.status != CardStatus.PENDING)
    by_card = session.scalar(select(Patron).where(Patron.id.in_(holder)))
    return None if by_card is None else surviving(session, by_card)


def linked_patrons(session: Session, account: LoginAccount) -> list[Patron]:
    """The patron records this login serves (home library first, then guest libraries)."""
    query = select(Patron).where(Patron.login_account_id == account.id)
    return list(session.scalars(query.order_by(Patron.created_at)))


def owns(account: LoginAccount, patron: Patron | None) -> Patron:
    """The patron, if this login serves it; refused otherwise."""
    if patron is None or patron.login_account_id != account.id:
        raise DomainError("not_your_membership")
    return patron
