"""The desk's card actions (seed 000, *Passen*: toevoegen, vervangen, blokkeren, deblokkeren,
verwijderen, and a *volgpas*), each under the kiosk's rules and recorded in the audit log with
the card, lending and the login's name before and after."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cards.blocking import BLOCKED_STATUSES, block_card, unblock_card
from shared.cards.issuing import issue_scanned_card, queue_new_card_mail, replace_main_card
from shared.cards.lookup import card_number_taken
from shared.cards.removal import delete_unused_card
from shared.cards.secondary import issue_secondary_card
from shared.db import lock_row
from shared.desk import audit
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.card import Card, CardReason, CardRole, CardStatus
from shared.models.patron import Patron

ADDED = "card.added"  # the audit log's actions
REPLACED = "card.replaced"
SECONDARY_ADDED = "card.secondary_added"
BLOCKED = "card.blocked"
UNBLOCKED = "card.unblocked"
DELETED = "card.deleted"


def add_main_card(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    number: str,
    mail: MailSettings,
    now: datetime,
) -> Card:
    """The scanned blank card becomes the main card of a patron who has none active; as at the
    kiosk, the login is renamed and the new number mailed. A scan sent twice is done once."""
    if (same := _already(session, patron, number, CardRole.MAIN)) is not None:
        return same
    before = audited(patron)
    card, replaced = issue_scanned_card(session, patron, number, now)
    queue_new_card_mail(session, patron, card, replaced, mail, now)
    after = audited(patron, card)
    if card.replaces is not None:
        after |= {"replaced_card": card.replaces.number, "replaced_status": card.replaces.status}
    audit.record(session, staff, ADDED, now, patron.id, before, after)
    return card


def replace_card(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    number: str,
    reason: CardReason,
    mail: MailSettings,
    now: datetime,
) -> Card:
    """The scanned blank card replaces the main card (*vervangen*), for the reason given."""
    if (same := _already(session, patron, number, CardRole.MAIN)) is not None:
        return same
    before = audited(patron)
    old, card = replace_main_card(session, patron, number, reason, mail, now)
    after = audited(patron, card) | {"replaced_card": old.number, "replaced_status": old.status}
    audit.record(session, staff, REPLACED, now, patron.id, before, after)
    return card


def add_secondary_card(
    session: Session, staff: LoginAccount, patron: Patron, number: str, now: datetime
) -> Card:
    """The scanned blank card becomes a secondary card (*volgpas*) of the patron; a scan sent
    twice is done once."""
    if (same := _already(session, patron, number, CardRole.SECONDARY)) is not None:
        return same
    before = audited(patron)
    card = issue_secondary_card(session, patron, number, now)
    audit.record(session, staff, SECONDARY_ADDED, now, patron.id, before, audited(patron, card))
    return card


def block(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    number: str,
    reason: CardReason,
    now: datetime,
) -> bool:
    """Block the patron's card with this number: lost, stolen, damaged or another reason.
    Whether it was blocked now (not: it was already, a second press of the button)."""
    card = patrons_card(session, patron, number)
    if card.status in BLOCKED_STATUSES:
        return False
    before = audited(patron, card)
    block_card(session, patron, card, reason)
    audit.record(session, staff, BLOCKED, now, patron.id, before, audited(patron, card))
    return True


def unblock(
    session: Session, staff: LoginAccount, patron: Patron, number: str, now: datetime
) -> bool:
    """Unblock the patron's card with this number: it was found again. Whether it was
    unblocked now (not: it works already, a second press of the button)."""
    card = patrons_card(session, patron, number)
    if card.status == CardStatus.ACTIVE:
        return False
    before = audited(patron, card)
    unblock_card(session, patron, card, now)
    audit.record(session, staff, UNBLOCKED, now, patron.id, before, audited(patron, card))
    return True


def delete(
    session: Session, staff: LoginAccount, patron: Patron, number: str, now: datetime
) -> bool:
    """Delete the patron's card with this number, added by mistake and never used; the audit
    entry keeps its number. Whether it was deleted now (not: no card has the number any more,
    a second press of the button)."""
    _hold(session, patron)
    if not card_number_taken(session, number):
        return False
    card = patrons_card(session, patron, number)
    before = audited(patron, card)
    previous = card.replaces
    delete_unused_card(session, patron, card)
    after = audited(patron) | {"card_number": number, "status": "deleted"}
    if previous is not None:
        after |= {"restored_card": previous.number, "restored_status": previous.status}
    audit.record(session, staff, DELETED, now, patron.id, before, after)
    return True


def patrons_card(session: Session, patron: Patron, number: str) -> Card:
    """The patron's card with this number (not one being encoded), their row held until commit."""
    _hold(session, patron)
    card = session.scalar(
        select(Card).where(
            Card.patron_id == patron.id,
            Card.number == number,
            Card.status != CardStatus.PENDING,
        )
    )
    if card is None:
        raise DomainError("not_found")
    session.refresh(card)
    return card


def audited(patron: Patron, card: Card | None = None) -> dict[str, Any]:
    """What the audit log keeps of a card action: the card acted on, whether the patron may
    borrow, and the login's name (which follows the main card)."""
    account = patron.login_account
    values: dict[str, Any] = {
        "lending_blocked": patron.lending_blocked,
        "username": account.username if account is not None else None,
    }
    if card is not None:
        values |= {
            "card_number": card.number,
            "role": card.role,
            "status": card.status,
            "status_reason": card.status_reason,
        }
    return values


def _already(session: Session, patron: Patron, number: str, role: CardRole) -> Card | None:
    """The patron's active card of this number and role: a scan sent twice is done once (the
    second waits for the first, holding the patron's row)."""
    _hold(session, patron)
    return session.scalar(
        select(Card).where(
            Card.patron_id == patron.id,
            Card.number == number,
            Card.role == role,
            Card.status == CardStatus.ACTIVE,
        )
    )


def _hold(session: Session, patron: Patron) -> None:
    """Hold the patron's row until commit, and read what another action may have changed."""
    lock_row(session, Patron, patron.id)
    session.refresh(patron, ["lending_blocked"])
