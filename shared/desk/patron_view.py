"""The desk's patron screen: everything about one patron, gathered in a fixed number of queries,
each list the newest rows only, and every look at it written to the audit log."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, load_only

from shared.cards.lookup import main_card
from shared.catalogue.isil import library_of
from shared.desk import audit
from shared.desk.refusal import DeskRefusal, desk_refusal
from shared.guests.sync import NOT_CONFIGURED, next_sync
from shared.models.account import AccountStatus, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardRole, CardStatus
from shared.models.guest import GuestHome, Verification
from shared.models.id_check import DeskIdCheck, IdCheck
from shared.models.ledger import LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.mandate import Mandate
from shared.models.membership import Letter
from shared.models.patron import CustomerType, Patron, Subscription, SubscriptionStatus
from shared.models.payment import Chargeback, Payment, Refund
from shared.patrons.lookup import find_patron_by_any_number
from shared.patrons.subscriptions import current_subscription
from shared.payments import ledger
from shared.timeutil import local_today

LIMIT = 50  # rows per list: a patron with years of history still opens at once
VIEWED = "patron.viewed"
T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


class BlockReason(StrEnum):
    """Why the patron cannot borrow (physical items) now; the screen says each in words."""

    NO_CARD = "no_card"  # signed up online, card not collected yet
    DIGITAL_ONLY = "digital_only"  # the subscription has no card and no physical lending
    CARD_LOST = "card_lost"
    CARD_BLOCKED = "card_blocked"
    NO_SUBSCRIPTION = "no_subscription"
    SUBSCRIPTION_ENDED = "subscription_ended"
    RENEWAL_UNPAID = "renewal_unpaid"  # invoiced, and its grace period is over
    SUBSCRIPTION_INVALID = "subscription_invalid"  # the desk refused the patron (*ongeldig*)
    SUBSCRIPTION_BLACKLISTED = "subscription_blacklisted"  # the coordinator did (*zwarte lijst*)
    LOGIN_BLOCKED = "login_blocked"
    DEBT = "debt"
    FLAGGED = "flagged"  # the record's lending block is set for none of the reasons above


# The subscription's refusals, each a reason of its own.
REFUSAL_REASONS = {
    SubscriptionStatus.INVALID: BlockReason.SUBSCRIPTION_INVALID,
    SubscriptionStatus.BLACKLISTED: BlockReason.SUBSCRIPTION_BLACKLISTED,
}
# A newest main card in these statuses blocks lending until a new card is issued.
CARD_REASONS = {
    CardStatus.LOST: BlockReason.CARD_LOST,
    CardStatus.BLOCKED: BlockReason.CARD_BLOCKED,
}


@dataclass(frozen=True)
class Newest(Generic[T]):
    """The newest rows of a list, and whether older ones were left out."""

    rows: list[T]
    more: bool


@dataclass(frozen=True)
class GuestView:
    """A guest's home library as the desk sees it: which library, whether it was asked, and
    when it is asked next."""

    home: GuestHome
    library: str  # the directory's name of the ISIL, or the ISIL itself
    next_sync: datetime | None  # None: not asked (unverified, or the guest subscription ended)

    @property
    def verified(self) -> bool:
        """Whether the own library was asked when the guest registered."""
        return self.home.verification == Verification.VERIFIED

    @property
    def unanswered(self) -> bool:
        """Whether the own library did not answer the last nightly check."""
        return bool(self.home.sync_error) and self.home.sync_error != NOT_CONFIGURED


@dataclass(frozen=True)
class PatronScreen:
    """What the desk sees of one patron."""

    patron: Patron
    number: str
    reasons: list[BlockReason]
    refusal: DeskRefusal | None
    balance: Decimal
    account: LoginAccount | None
    subscriptions: Newest[Subscription]
    cards: Newest[Card]
    ledger: Newest[LedgerEntry]
    payments: Newest[Payment]
    refunds: Newest[tuple[Refund, Payment]]
    chargebacks: Newest[tuple[Chargeback, Payment]]
    mandates: Newest[Mandate]
    id_checks: Newest[IdCheck]
    desk_id_checks: Newest[DeskIdCheck]
    mails: Newest[OutboxMail]
    letters: Newest[Letter]
    audit: Newest[AuditEntry]
    guest: GuestView | None = None


def view_patron(
    session: Session, staff: LoginAccount, number: str, now: datetime
) -> PatronScreen | None:
    """The screen of the patron with this number (also an old card's), recorded in the audit
    log as seen by this staff member; None when no patron has the number."""
    patron = find_patron_by_any_number(session, number)
    if patron is None:
        return None
    screen = patron_screen(session, patron, now)
    audit.record(session, staff, VIEWED, now, patron_id=patron.id)
    return screen


def patron_screen(session: Session, patron: Patron, now: datetime) -> PatronScreen:
    """Everything the desk sees of the patron at this moment."""
    owed = ledger.balance(session, patron.id)
    card = main_card(session, patron)
    subscriptions = _newest(session, _subscriptions(patron))
    current = subscriptions.rows[0] if subscriptions.rows else None
    return PatronScreen(
        patron=patron,
        number=card.number if card else patron.customer_number,
        reasons=block_reasons(session, patron, owed, local_today(now)),
        refusal=desk_refusal(session, patron, current),
        balance=owed,
        account=patron.login_account,
        subscriptions=subscriptions,
        cards=_newest(session, _cards(patron)),
        ledger=_newest(session, _ledger(patron)),
        payments=_newest(session, _payments(patron)),
        refunds=_newest_pairs(session, _refunds(patron)),
        chargebacks=_newest_pairs(session, _chargebacks(patron)),
        mandates=_newest(session, _mandates(patron)),
        id_checks=_newest(session, _id_checks(patron)),
        desk_id_checks=_newest(session, _desk_id_checks(patron)),
        mails=_newest(session, _mails(patron)),
        letters=_newest(session, _letters(patron)),
        audit=_newest_audit(session, patron),
        guest=guest_view(session, patron, now),
    )


def guest_view(session: Session, patron: Patron, now: datetime) -> GuestView | None:
    """The patron's home library, if they are a guest."""
    home = session.scalar(select(GuestHome).where(GuestHome.patron_id == patron.id))
    if home is None:
        return None
    found = library_of(session, home.isil)
    current = current_subscription(patron)
    runs = (
        current is not None
        and current.cancelled_at is None
        and current.end_date >= local_today(now)
    )
    asked_next = next_sync(home, now) if runs else None
    return GuestView(home, found.organisation if found else home.isil, asked_next)


def block_reasons(
    session: Session, patron: Patron, owed: Decimal, today: date
) -> list[BlockReason]:
    """Every reason the patron cannot borrow today, the card's and subscription's first."""
    current = session.scalar(_subscriptions(patron).limit(1))
    reasons = [_card_reason(session, patron, current), _subscription_reason(current, today)]
    account = patron.login_account
    if account is not None and account.status == AccountStatus.BLOCKED:
        reasons.append(BlockReason.LOGIN_BLOCKED)
    if owed > 0:
        reasons.append(BlockReason.DEBT)
    found = [reason for reason in reasons if reason is not None]
    return found or ([BlockReason.FLAGGED] if patron.lending_blocked else [])


def _card_reason(
    session: Session, patron: Patron, current: Subscription | None
) -> BlockReason | None:
    """What the patron's newest main card (or its absence) says about lending."""
    if current is not None and not current.type.has_card:
        return BlockReason.DIGITAL_ONLY
    if patron.customer_type == CustomerType.GUEST:
        return None  # a guest lends on their own library's card
    newest = session.scalar(_cards(patron).where(Card.role == CardRole.MAIN).limit(1))
    if newest is None:
        return BlockReason.NO_CARD
    if newest.status == CardStatus.ACTIVE:
        return None
    return CARD_REASONS.get(newest.status, BlockReason.NO_CARD)


def _subscription_reason(current: Subscription | None, today: date) -> BlockReason | None:
    """What the longest-running subscription says about lending today."""
    if current is None:
        return BlockReason.NO_SUBSCRIPTION
    if (refused := REFUSAL_REASONS.get(current.status)) is not None:
        return refused
    if current.runs_through < today:
        unpaid = current.status == SubscriptionStatus.INVOICED
        return BlockReason.RENEWAL_UNPAID if unpaid else BlockReason.SUBSCRIPTION_ENDED
    return None


def _newest(session: Session, query: Select[T]) -> Newest[T]:
    """The first LIMIT rows of a query (ordered newest first), and whether there are more."""
    rows = list(session.scalars(query.limit(LIMIT + 1)))
    return Newest(rows[:LIMIT], len(rows) > LIMIT)


def _newest_pairs(session: Session, query: Select[A, B]) -> Newest[tuple[A, B]]:
    """As `_newest`, for a query of two entities per row."""
    rows = [(first, second) for first, second in session.execute(query.limit(LIMIT + 1))]
    return Newest(rows[:LIMIT], len(rows) > LIMIT)


def _newest_audit(session: Session, patron: Patron) -> Newest[AuditEntry]:
    """The staff actions on the patron, newest first."""
    rows = audit.entries(session, patron_id=patron.id, limit=LIMIT + 1)
    return Newest(rows[:LIMIT], len(rows) > LIMIT)


def _subscriptions(patron: Patron) -> Select[Subscription]:
    """The patron's subscriptions, the one that runs longest first."""
    query = select(Subscription).options(
        joinedload(Subscription.type), joinedload(Subscription.selection)
    )
    query = query.where(Subscription.patron_id == patron.id)
    return query.order_by(Subscription.end_date.desc(), Subscription.id.desc())


def _cards(patron: Patron) -> Select[Card]:
    """The patron's cards, newest first (not numbers reserved for a card being encoded)."""
    query = select(Card).where(Card.patron_id == patron.id, Card.status != CardStatus.PENDING)
    return query.order_by(Card.issued_at.desc(), Card.id.desc())


def _ledger(patron: Patron) -> Select[LedgerEntry]:
    """The patron's ledger, newest first."""
    query = select(LedgerEntry).where(LedgerEntry.patron_id == patron.id)
    return query.order_by(LedgerEntry.id.desc())


def _payments(patron: Patron) -> Select[Payment]:
    """The patron's payments, newest first."""
    return select(Payment).where(Payment.patron_id == patron.id).order_by(Payment.id.desc())


def _refunds(patron: Patron) -> Select[Refund, Payment]:
    """The refunds of the patron's payments with their payment, newest first."""
    query = select(Refund, Payment).join(Payment, Refund.payment_id == Payment.id)
    return query.where(Payment.patron_id == patron.id).order_by(Refund.id.desc())


def _chargebacks(patron: Patron) -> Select[Chargeback, Payment]:
    """What banks took back of the patron's payments, with the payment, newest first."""
    query = select(Chargeback, Payment).join(Payment, Chargeback.payment_id == Payment.id)
    return query.where(Payment.patron_id == patron.id).order_by(Chargeback.id.desc())


def _mandates(patron: Patron) -> Select[Mandate]:
    """The patron's direct-debit mandates, newest first."""
    return select(Mandate).where(Mandate.patron_id == patron.id).order_by(Mandate.id.desc())


def _id_checks(patron: Patron) -> Select[IdCheck]:
    """The checks of the patron's ID document with their kiosk, newest first."""
    query = select(IdCheck).options(joinedload(IdCheck.kiosk))
    query = query.where(IdCheck.patron_id == patron.id)
    return query.order_by(IdCheck.checked_at.desc(), IdCheck.id.desc())


def _desk_id_checks(patron: Patron) -> Select[DeskIdCheck]:
    """The patron's ID documents checked at the desk (who and when), newest first."""
    query = select(DeskIdCheck).where(DeskIdCheck.patron_id == patron.id)
    return query.order_by(DeskIdCheck.checked_at.desc(), DeskIdCheck.id.desc())


def _mails(patron: Patron) -> Select[OutboxMail]:
    """The mails to the patron and to their login, newest first, without the messages (large)."""
    shown: list[Any] = [
        OutboxMail.created_at,
        OutboxMail.kind,
        OutboxMail.to_address,
        OutboxMail.subject,
        OutboxMail.status,
        OutboxMail.sent_at,
    ]
    mine = OutboxMail.patron_id == patron.id
    if patron.login_account_id is not None:
        mine = mine | (OutboxMail.account_id == patron.login_account_id)
    query = select(OutboxMail).options(load_only(*shown)).where(mine)
    return query.order_by(OutboxMail.id.desc())


def _letters(patron: Patron) -> Select[Letter]:
    """The letters to the patron (for want of an e-mail address), newest first."""
    query = select(Letter).where(Letter.patron_id == patron.id)
    return query.order_by(Letter.created_at.desc(), Letter.id.desc())
