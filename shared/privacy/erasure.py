"""Erasing a patron who asks for it (*recht op vergetelheid*, AVG article 17): refused while
anything is owed or runs, else every row about them removed in one transaction, their payments
kept without them for the bookkeeping, and the audit log's entries about them without values."""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from shared.db import Base, rows_changed
from shared.desk import audit
from shared.errors import DomainError
from shared.models.account import AccountRole, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card
from shared.models.erasure import PatronErasure
from shared.models.patron import Patron, Subscription, SubscriptionStatus
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from shared.privacy.holdings import Holdings, holdings
from shared.privacy.tables import HANDLING, OnErase
from shared.timeutil import local_today

ERASED = "patron.erased"  # the audit log's action
SCRUBBED = "-"  # what a patron's number in a kept payment's description becomes


class ErasureRefused(DomainError):
    """The patron cannot be erased yet: `reasons` says why, each a refusal of its own."""

    def __init__(self, reasons: list[DomainError]) -> None:
        super().__init__("erasure_refused")
        self.reasons = reasons


@dataclass(frozen=True)
class Erased:
    """What an erasure did: how many rows went, were kept anonymised, or lost their values."""

    deleted: int
    payments_anonymised: int
    audit_entries_cleared: int


def erasure_refusals(session: Session, patron: Patron, today: date) -> list[DomainError]:
    """Why the patron cannot be erased today (nothing: they can)."""
    return _refusals(session, patron, holdings(session, patron), today)


def _refusals(session: Session, patron: Patron, held: Holdings, today: date) -> list[DomainError]:
    """What stands in the way: money owed either way, a subscription that runs or is
    blacklisted, a payment or refund not final, a direct debit mandate in force."""
    subscriptions: list[Subscription] = held["subscription"]
    payments: list[Payment] = held["payment"]
    refunds: list[Refund] = held["refund"]
    checks = (
        (ledger.balance(session, patron.id) != 0, DomainError("erasure_balance")),
        (
            any(s.runs_through > today for s in subscriptions),
            DomainError("erasure_subscription_runs"),
        ),
        # The library keeps the record of a refusal it decided on until a coordinator lifts it.
        (
            any(s.status == SubscriptionStatus.BLACKLISTED for s in subscriptions),
            DomainError("erasure_blacklisted"),
        ),
        (
            any(not p.status.is_final for p in payments)
            or any(not r.status.is_final for r in refunds),
            DomainError("erasure_payment_open"),
        ),
        (any(m.status.in_force for m in held["mandate"]), DomainError("erasure_mandate")),
    )
    return [refusal for applies, refusal in checks if applies]


def erase(session: Session, patron: Patron, staff: LoginAccount, now: datetime) -> Erased:
    """Erase the patron, or refuse with every reason; the caller commits once."""
    keep_login = _login_kept(session, patron)
    held = holdings(session, patron, with_login=not keep_login)
    reasons = _refusals(session, patron, held, local_today(now))
    if reasons:
        raise ErasureRefused(reasons)
    patron_id = patron.id
    session.add(PatronErasure(patron_id=patron_id, erased_at=now))
    session.flush()
    anonymised = _anonymise_payments(session, patron, held, now)
    cleared = _clear_audit_values(session, patron_id)
    deleted = _delete(session, held)
    done = Erased(deleted, anonymised, cleared)
    audit.record(session, staff, ERASED, now, after={"record": patron_id, **asdict(done)})
    return done


def _login_kept(session: Session, patron: Patron) -> bool:
    """Whether the patron's login stays: it serves another patron record, or is a staff login."""
    account = patron.login_account
    if account is None:
        return False
    others = select(Patron.id).where(Patron.login_account_id == account.id, Patron.id != patron.id)
    return account.role == AccountRole.STAFF or session.scalar(others.limit(1)) is not None


def _anonymise_payments(session: Session, patron: Patron, held: Holdings, now: datetime) -> int:
    """Keep the patron's payments and refunds for the bookkeeping without anything that leads
    to them: no patron, subscription, signup, provider customer or checkout, and their numbers
    gone from the descriptions (a terminal's says the customer number)."""
    numbers = _numbers(patron, held["card"])
    payments: list[Payment] = held["payment"]
    for payment in payments:
        payment.patron_id = payment.subscription_id = payment.registration_id = None
        payment.customer_id = payment.checkout_url = None
        payment.description = _scrubbed(payment.description, numbers)
        payment.anonymised_at = now
    refunds: list[Refund] = held["refund"]
    for refund in refunds:
        refund.description = _scrubbed(refund.description, numbers)
    session.flush()
    return len(payments)


def _numbers(patron: Patron, cards: list[Card]) -> list[str]:
    """Every number the patron went by."""
    numbers = [patron.temporary_number, patron.system_number, *(card.number for card in cards)]
    return [number for number in numbers if number]


def _scrubbed(text: str, numbers: list[str]) -> str:
    """The text without any of these numbers."""
    for number in numbers:
        text = text.replace(number, SCRUBBED)
    return text


def _clear_audit_values(session: Session, patron_id: int) -> int:
    """The values before and after of every audit entry about the patron cleared, in one
    statement (the database allows it only for an erased record); who, what and when stay."""
    statement = (
        update(AuditEntry)
        .where(AuditEntry.patron_id == patron_id)
        .values(before=null(), after=null())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(session, statement)


def _delete(session: Session, held: Holdings) -> int:
    """Delete the rows to delete, the rows that refer to others first; how many went."""
    deleted = 0
    for table in reversed(Base.metadata.sorted_tables):
        rows = held.get(table.name, [])
        if not rows or HANDLING[table.name].on_erase != OnErase.DELETED:
            continue
        for row in rows:
            session.delete(row)
        session.flush()
        deleted += len(rows)
    return deleted
