"""Finding patrons: by customer, system or card number, and the patrons a login serves."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.card import Card, CardStatus
from shared.models.patron import Patron


def find_patron(session: Session, number: str) -> Patron | None:
    """The patron with this customer or system number, or an active card with this number."""
    holder = select(Card.patron_id).where(Card.number == number, Card.status == CardStatus.ACTIVE)
    return session.scalar(
        select(Patron).where(
            (Patron.temporary_number == number)
            | (Patron.system_number == number)
            | Patron.id.in_(holder)
        )
    )


def find_patron_by_any_number(session: Session, number: str) -> Patron | None:
    """The patron as `find_patron` finds them, or by a card no longer in use (lost, blocked or
    replaced): staff look a patron up by whatever number is in front of them."""
    found = find_patron(session, number)
    if found is not None:
        return found
    holder = select(Card.patron_id).where(Card.number == number, Card.status != CardStatus.PENDING)
    return session.scalar(select(Patron).where(Patron.id.in_(holder)))


def linked_patrons(session: Session, account: LoginAccount) -> list[Patron]:
    """The patron records this login serves (home library first, then guest libraries)."""
    query = select(Patron).where(Patron.login_account_id == account.id)
    return list(session.scalars(query.order_by(Patron.created_at)))


def owns(account: LoginAccount, patron: Patron | None) -> Patron:
    """The patron, if this login serves it; refused otherwise."""
    if patron is None or patron.login_account_id != account.id:
        raise DomainError("not_your_membership")
    return patron
