"""Erasing a patron who asks for it (*recht op vergetelheid*, AVG article 17): refused while
anything is owed, runs or may still move money, else every row about them removed in one
transaction (the duplicate records merged into theirs included), their payments kept without
them for the bookkeeping, and the audit log's entries about them detached and without values."""

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from shared.db import Base, lock_row, rows_changed
from shared.desk import audit
from shared.errors import DomainError
from shared.models.account import AccountRole, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card
from shared.models.desk import Waiver
from shared.models.erasure import PatronErasure
from shared.models.patron import REFUSED_STATUSES, Patron, Subscription, SubscriptionStatus
from shared.models.payment import Payment, PaymentMethod, PaymentStatus, Refund
from shared.patrons.name_keys import NAME_COLUMNS, Row, forget_terms, patron_key_rows
from shared.payments import ledger
from shared.privacy.holdings import Holdings, holdings
from shared.privacy.tables import HANDLING, OnErase
from shared.timeutil import local_today

ERASED = "patron.erased"  # the audit log's action
SCRUBBED = "-"  # what a patron's number in a kept payment's description becomes
# A payer's bank reverses a SEPA direct debit under a mandate on request for eight weeks after
# it was collected (SEPA Core rulebook), and a collection Mollie made before a schedule was
# stopped may still be reported that long after: money that may come back or arrive is booked
# on the patron, so the record stays until then.
CHARGEBACK_WINDOW = timedelta(days=56)


class ErasureRefused(DomainError):
    """The patron cannot be erased yet: `reasons` says why, each a refusal of its own."""

    def __init__(self, reasons: list[DomainError]) -> None:
        super().__init__("erasure_refused")
        self.reasons = reasons


class AlreadyErased(ErasureRefused):
    """The patron was erased meanwhile (by an erasure this one waited for)."""

    def __init__(self) -> None:
        super().__init__([DomainError("erasure_done")])


@dataclass(frozen=True)
class Erased:
    """What an erasure did: how many rows went, were kept anonymised, or lost their values."""

    deleted: int
    payments_anonymised: int
    audit_entries_cleared: int


def erasure_refusals(session: Session, patron: Patron, now: datetime) -> list[DomainError]:
    """Why the patron cannot be erased now (nothing: they can)."""
    return _refusals(session, patron, holdings(session, patron), now)


def _refusals(session: Session, patron: Patron, held: Holdings, now: datetime) -> list[DomainError]:
    """What stands in the way, on the record or one merged into it: money owed either way, a
    subscription that runs or is blacklisted, a payment or refund not final, a direct debit
    mandate in force, and money that may still come back or arrive by direct debit."""
    subscriptions: list[Subscription] = held["subscription"]
    payments: list[Payment] = held["payment"]
    refunds: list[Refund] = held["refund"]
    today, since = local_today(now), now - CHARGEBACK_WINDOW
    owed = ledger.balances(session, [record.id for record in held["patron"]])
    checks = (
        (patron.merged_into_id is not None, DomainError("erasure_merged")),
        (any(amount != 0 for amount in owed.values()), DomainError("erasure_balance")),
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
        (
            any(_collected_since(payment, since) for payment in payments),
            DomainError("erasure_direct_debit_reversible"),
        ),
        (
            any(_schedule_stopped_since(s, since) for s in subscriptions),
            DomainError("erasure_schedule_stopped"),
        ),
    )
    return [refusal for applies, refusal in checks if applies]


def _collected_since(payment: Payment, since: datetime) -> bool:
    """Whether the payment is a direct debit collected since then: the bank may reverse it."""
    paid_at = payment.paid_at or payment.updated_at
    return (
        payment.method == PaymentMethod.DIRECT_DEBIT
        and payment.status == PaymentStatus.PAID
        and paid_at >= since
    )


def _schedule_stopped_since(subscription: Subscription, since: datetime) -> bool:
    """Whether the subscription's provider schedule was stopped since then (the subscription
    cancelled, or refused by the desk: both keep the schedule's id), so a collection made
    before may still be reported."""
    if subscription.mollie_subscription_id is None:
        return False
    refused = subscription.status in REFUSED_STATUSES
    stopped = subscription.cancelled_at or (subscription.status_changed_at if refused else None)
    return stopped is not None and stopped >= since


def erase(session: Session, patron: Patron, staff: LoginAccount, now: datetime) -> Erased:
    """Erase the patron, or refuse with every reason; the caller commits once."""
    # Whatever else is done for the patron meanwhile (a charge, a payment, a card, a mail)
    # finishes first and is seen below, or waits and then finds the record gone.
    lock_row(session, Patron, patron.id)
    if session.scalar(select(Patron.id).where(Patron.id == patron.id)) is None:
        raise AlreadyErased()
    session.refresh(patron)
    keep_login = _login_kept(session, patron)
    held = holdings(session, patron, with_login=not keep_login)
    reasons = _refusals(session, patron, held, now)
    if reasons:
        raise ErasureRefused(reasons)
    records: list[Patron] = held["patron"]
    record_ids = [record.id for record in records]
    erasures = [_erasure(record, now) for record in records]
    session.add_all(erasures)
    session.flush()
    anonymised = _anonymise_payments(session, held, now)
    names = _names(held)
    deleted = _delete(session, held)
    forget_terms(session, names)
    cleared = _detach_audit_entries(session, record_ids)
    done = Erased(deleted, anonymised, cleared)
    merged = ", ".join(str(record_id) for record_id in record_ids[1:])  # the log keeps scalars
    after = {"record": patron.id, "erasure": erasures[0].id, "merged_records": merged}
    audit.record(session, staff, ERASED, now, after=after | asdict(done))
    return done


def _erasure(record: Patron, now: datetime) -> PatronErasure:
    """The note that this record is erased (a restored backup's copy is erased again by it)."""
    return PatronErasure(patron_id=record.id, patron_created_at=record.created_at, erased_at=now)


def _login_kept(session: Session, patron: Patron) -> bool:
    """Whether the patron's login stays: it serves another patron record, or is a staff login."""
    account = patron.login_account
    if account is None:
        return False
    others = select(Patron.id).where(Patron.login_account_id == account.id, Patron.id != patron.id)
    return account.role == AccountRole.STAFF or session.scalar(others.limit(1)) is not None


def _anonymise_payments(session: Session, held: Holdings, now: datetime) -> int:
    """Keep the patron's payments, refunds and waivers for the bookkeeping without anything that
    leads to them: no patron, subscription, signup, provider customer or checkout, their numbers
    (a merged record's too) gone from the descriptions (a terminal's says the customer number),
    and no reason for a waiver (staff typed it about the patron)."""
    numbers = _numbers(held["patron"], held["card"])
    payments: list[Payment] = held["payment"]
    for payment in payments:
        payment.patron_id = payment.subscription_id = payment.registration_id = None
        payment.customer_id = payment.checkout_url = None
        payment.description = _scrubbed(payment.description, numbers)
        payment.anonymised_at = now
    refunds: list[Refund] = held["refund"]
    for refund in refunds:
        refund.description = _scrubbed(refund.description, numbers)
    waivers: list[Waiver] = held["waiver"]
    for waiver in waivers:
        waiver.patron_id, waiver.reason = None, SCRUBBED
    session.flush()
    return len(payments)


def _numbers(records: list[Patron], cards: list[Card]) -> list[str]:
    """Every number the patron went by, on any of their records."""
    numbers = [n for r in records for n in (r.temporary_number, r.system_number)]
    return [number for number in (*numbers, *(card.number for card in cards)) if number]


def _names(held: Holdings) -> list[Row]:
    """Every name of the records as the search's vocabulary holds it: as filed, and as each
    record has it (a merged record's keys went at the merge, its names stayed in the
    vocabulary)."""
    filed = [{c: getattr(key, c) for c in NAME_COLUMNS} for key in held["patron_name_key"]]
    return filed + [row for record in held["patron"] for row in patron_key_rows(record)]


def _scrubbed(text: str, numbers: list[str]) -> str:
    """The text without any of these numbers (whole: not the digits of a longer number)."""
    for number in numbers:
        text = re.sub(rf"\b{re.escape(number)}\b", SCRUBBED, text)
    return text


def _delete(session: Session, held: Holdings) -> int:
    """Delete the rows to delete, the rows that refer to others first; how many went."""
    deleted = 0
    for table in reversed(Base.metadata.sorted_tables):
        rows = held.get(table.name, [])
        if not rows or HANDLING[table.name].on_erase != OnErase.DELETED:
            continue
        # A table referring to itself (a merged record to the record it went into, a secondary
        # card to its main card, a card to the one it replaced) in any order of ids: those
        # references go first, then the rows.
        for row in rows:
            for key in table.foreign_keys:
                if key.column.table is table:
                    setattr(row, key.parent.name, None)
        session.flush()
        for row in rows:
            session.delete(row)
        session.flush()
        deleted += len(rows)
    return deleted


def _detach_audit_entries(session: Session, record_ids: list[int]) -> int:
    """The audit entries about the deleted records without them and without their values
    before and after, in one statement (the database allows that change only for a record that
    is gone, and checks at commit that no entry still names it); who, what and when stay."""
    statement = (
        update(AuditEntry)
        .where(AuditEntry.patron_id.in_(record_ids))
        .values(patron_id=None, before=null(), after=null())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(session, statement)
