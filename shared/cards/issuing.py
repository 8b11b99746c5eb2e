"""Issuing a card: whether a patron needs one, making an encoded or scanned card the main card
(lending unblocked, login renamed, number mailed), and replacing the main card by a new one."""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shared.cards.lookup import main_card, newest_main_card
from shared.cards.numbers import is_valid_card_number, mint_card_number, normalise_chip_uid
from shared.db import lock_row
from shared.errors import DomainError
from shared.mail.patron_mail import patron_email, queue_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.card import Card, CardReason, CardRole, CardStatus
from shared.models.patron import Patron
from shared.patrons.subscriptions import current_subscription, require_valid_subscription
from shared.timeutil import local_today


def needs_card(session: Session, patron: Patron) -> bool:
    """Whether the subscription includes a card and the patron has no active main card."""
    subscription = current_subscription(patron)
    has_card = subscription is not None and subscription.type.has_card
    return has_card and main_card(session, patron) is None


def pending_card(session: Session, patron: Patron, uid: str, now: datetime) -> Card:
    """A new number of the patron's home branch, reserved for a chip being encoded."""
    number = mint_card_number(patron.home_branch.code, lambda n: card_number_taken(session, n))
    card = Card(
        patron_id=patron.id,
        number=number,
        role=CardRole.MAIN,
        status=CardStatus.PENDING,
        chip_uid=uid,
        issued_at=now,
    )
    session.add(card)
    session.flush()
    return card


def card_number_taken(session: Session, number: str) -> bool:
    """Whether a card has this number."""
    return session.scalar(select(Card.id).where(Card.number == number)) is not None


def activate_card(
    session: Session,
    patron: Patron,
    number: str,
    chip_uid: str,
    mail: MailSettings,
    now: datetime,
    locale: str | None = None,
) -> Card:
    """Make the encoded card the patron's main card (its mail in `locale`, else the patron's
    language), while their subscription is valid; the same answer when it already is."""
    uid = normalise_chip_uid(chip_uid)
    lock_row(session, Patron, patron.id)
    card = session.scalar(select(Card).where(Card.number == number, Card.patron_id == patron.id))
    if card is None:
        raise DomainError("not_found")
    if card.chip_uid != uid:
        raise DomainError("chip_mismatch")
    if card.status == CardStatus.ACTIVE:
        return card
    if card.status != CardStatus.PENDING or main_card(session, patron) is not None:
        raise DomainError("card_not_pending", status=card.status)
    replaced = _make_main_card(session, patron, card, now)
    queue_new_card_mail(session, patron, card, replaced, mail, now, locale)
    session.flush()
    return card


def issue_scanned_card(session: Session, patron: Patron, number: str, now: datetime) -> Card:
    """Staff: make the blank card whose number was scanned the main card of a patron who has
    none, while their subscription (one with a card) is valid. No mail: the patron holds it."""
    check_scanned_number(session, patron, number)
    if not needs_card(session, patron):
        raise DomainError("card_not_needed_here")
    card = scanned_card(session, patron, number, CardRole.MAIN, now)
    _make_main_card(session, patron, card, now)
    session.flush()
    return card


def replace_main_card(
    session: Session,
    patron: Patron,
    number: str,
    reason: CardReason,
    mail: MailSettings,
    now: datetime,
) -> tuple[Card, Card]:
    """Staff: the scanned blank card becomes the main card in place of the newest one (active,
    blocked or lost), which is *replaced* for the reason given; the new number is mailed as at
    the kiosk. The old card and the new one."""
    check_scanned_number(session, patron, number)
    old = newest_main_card(session, patron)
    if old is None or old.status == CardStatus.REPLACED:
        raise DomainError("no_card_to_replace")
    card = scanned_card(session, patron, number, CardRole.MAIN, now)
    old.status, old.status_reason = CardStatus.REPLACED, reason
    replaced = _make_main_card(session, patron, card, now)
    queue_new_card_mail(session, patron, card, replaced, mail, now)
    session.flush()
    return old, card


def check_scanned_number(session: Session, patron: Patron, number: str) -> None:
    """Refuse a scanned number that is no card number or is given out already, and a patron
    whose subscription has no card; the patron's row is held until commit."""
    if not is_valid_card_number(number):
        raise DomainError("card_number_invalid")
    lock_row(session, Patron, patron.id)
    if card_number_taken(session, number):
        raise DomainError("card_number_taken")
    subscription = current_subscription(patron)
    if subscription is not None and not subscription.type.has_card:
        raise DomainError("card_not_needed_here")


def scanned_card(
    session: Session, patron: Patron, number: str, role: CardRole, now: datetime
) -> Card:
    """The patron's new card of this number, waiting to be made active."""
    card = Card(patron_id=patron.id, number=number, role=role, status=CardStatus.PENDING)
    card.issued_at = now
    session.add(card)
    return card


def _make_main_card(session: Session, patron: Patron, card: Card, now: datetime) -> str:
    """Activate the card as the patron's main card: numbers reserved for a card being encoded go,
    lending is unblocked, a login named after the old number takes the card's, secondary cards
    go with it. The old number."""
    require_valid_subscription(patron, local_today(now))
    replaced = _number_until_now(session, patron)
    card.status, card.issued_at = CardStatus.ACTIVE, now
    session.flush()
    session.execute(
        delete(Card).where(Card.patron_id == patron.id, Card.status == CardStatus.PENDING)
    )
    patron.lending_blocked = False
    rename_login(session, patron, replaced, card.number)
    # A secondary card goes with the main card of the moment.
    session.execute(
        update(Card)
        .where(Card.patron_id == patron.id, Card.role == CardRole.SECONDARY)
        .values(main_card_id=card.id)
        .execution_options(synchronize_session="fetch")
    )
    return replaced


def _number_until_now(session: Session, patron: Patron) -> str:
    """The number the patron used so far: their last main card's, else the temporary one."""
    last = newest_main_card(session, patron)
    return last.number if last is not None else patron.customer_number


def rename_login(session: Session, patron: Patron, old: str, new: str) -> None:
    """A login named after the old number is named after the new card (the temporary number
    keeps working: login finds it on the patron, and says to use the card from now on)."""
    account = patron.login_account
    if account is None or account.username_key != old.casefold():
        return
    taken = select(LoginAccount.id).where(LoginAccount.username_key == new.casefold())
    if session.scalar(taken) is None:
        account.username, account.username_key = new, new.casefold()


def queue_new_card_mail(
    session: Session,
    patron: Patron,
    card: Card,
    replaced: str,
    mail: MailSettings,
    now: datetime,
    locale: str | None = None,
) -> None:
    """Tell the patron their new card number and that it replaces the old one (if we can)."""
    to = patron_email(patron)
    if to is not None:
        context = {"number": card.number, "replaced": replaced}
        key = f"new_card:card:{card.id}"
        queue_mail(session, mail, "new_card", to, patron, context, now, key=key, locale=locale)
