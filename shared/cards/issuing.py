"""Issuing a card: whether a patron needs one, making an encoded or scanned card the patron's one
active main card (lending unblocked, login renamed, number mailed), and replacing the main card
by a new one."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.cards.lookup import card_number_taken, main_card, newest_main_card
from shared.cards.numbers import mint_card_number, normalise_chip_uid
from shared.cards.scanning import check_scanned_number, scanned_card
from shared.cards.secondary import attach_secondaries
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
    replaced = _make_main_card(session, patron, card, stopped_main_card(session, patron), now)
    queue_new_card_mail(session, patron, card, replaced, mail, now, locale)
    session.flush()
    return card


def issue_scanned_card(
    session: Session, patron: Patron, number: str, now: datetime
) -> tuple[Card, str]:
    """Staff: make the blank card whose number was scanned the main card of a patron who has
    none active, while their subscription (one with a card) is valid; it follows their lost or
    blocked main card, if they have one, as at the kiosk (that card keeps its status). The card
    and the number the patron used until now."""
    check_scanned_number(session, patron, number)
    if not needs_card(session, patron):
        raise DomainError("card_not_needed_here")
    card = scanned_card(session, patron, number, CardRole.MAIN, now)
    replaced = _make_main_card(session, patron, card, stopped_main_card(session, patron), now)
    session.flush()
    return card, replaced


def replace_main_card(
    session: Session,
    patron: Patron,
    number: str,
    reason: CardReason,
    mail: MailSettings,
    now: datetime,
) -> tuple[Card, Card]:
    """Staff: the scanned blank card becomes the main card in place of the active one (else the
    newest that stopped working, blocked or lost), which is *replaced* for the reason given;
    the new number is mailed as at the kiosk. The old card and the new one."""
    check_scanned_number(session, patron, number)
    old = main_card(session, patron) or stopped_main_card(session, patron)
    if old is None:
        raise DomainError("no_card_to_replace")
    card = scanned_card(session, patron, number, CardRole.MAIN, now)
    old.status, old.status_reason = CardStatus.REPLACED, reason
    replaced = _make_main_card(session, patron, card, old, now)
    queue_new_card_mail(session, patron, card, replaced, mail, now)
    session.flush()
    return old, card


def stopped_main_card(session: Session, patron: Patron) -> Card | None:
    """The newest main card that stopped working (blocked or lost) and was not followed yet."""
    newest = newest_main_card(session, patron)
    stopped = newest is not None and newest.status in (CardStatus.BLOCKED, CardStatus.LOST)
    return newest if stopped else None


def _make_main_card(
    session: Session, patron: Patron, card: Card, previous: Card | None, now: datetime
) -> str:
    """Activate the card as the patron's only active main card, following `previous`: numbers
    reserved for a card being encoded go, lending is unblocked, a login named after one of the
    patron's numbers takes the card's, secondary cards go with it. The number until now."""
    require_valid_subscription(patron, local_today(now))
    if main_card(session, patron) is not None:
        raise DomainError("card_not_needed_here")
    card.status, card.issued_at, card.replaces = CardStatus.ACTIVE, now, previous
    session.flush()
    session.execute(
        delete(Card).where(Card.patron_id == patron.id, Card.status == CardStatus.PENDING)
    )
    patron.lending_blocked = False
    rename_login(session, patron, card.number)
    attach_secondaries(session, patron)
    return previous.number if previous is not None else patron.customer_number


def rename_login(session: Session, patron: Patron, new: str) -> None:
    """A login named after one of the patron's numbers (a card's, the temporary or system
    number) is named after `new`; a name the patron chose stays. (The temporary number keeps
    working: login finds it on the patron, and says to use the card from now on.)"""
    account = patron.login_account
    if account is None or not _a_number_of(session, patron, account.username_key):
        return
    taken = select(LoginAccount.id).where(LoginAccount.username_key == new.casefold())
    if session.scalar(taken) is None:
        account.username, account.username_key = new, new.casefold()


def _a_number_of(session: Session, patron: Patron, key: str) -> bool:
    """Whether the (case-folded) name is one of the patron's numbers (card numbers are digits)."""
    own = {n.casefold() for n in (patron.temporary_number, patron.system_number) if n}
    cards = select(Card.id).where(Card.patron_id == patron.id, Card.number == key)
    return key in own or session.scalar(cards.limit(1)) is not None


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
