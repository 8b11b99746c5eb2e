"""Services that commit along the way commit only their own work, never their caller's."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.clock import SYSTEM_CLOCK
from shared.db import Base, PendingWork, require_nothing_pending
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.mail.transport import FileTransport
from shared.mail.worker import send_pending_committing
from shared.models.ledger import LedgerEntry
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, PaymentStatus
from shared.models.registration import Registration
from shared.payments import ledger
from shared.payments.mollie import MollieProvider
from shared.payments.provider import ProviderPayment
from shared.payments.refunds import refund_payment_committing
from shared.payments.service import PaymentUrls, refresh_payment_committing
from shared.settlement.events import process_payment_committing, process_schedule_payment_committing
from shared.settlement.registration import pay_registration_committing
from tests.support.factories import create_patron, create_payment, create_registration

# Never reached: each service refuses before it asks the provider anything or sends a mail.
NOWHERE = FileTransport(Path("/nonexistent/outbox"))
UNREACHABLE = MollieProvider("test_unreachable", "http://127.0.0.1:9", 0.5)
MAIL = MailSettings("secret", "bibliotheek@example.nl", *[lambda token: token] * 5)
NOW = SYSTEM_CLOCK.now()
URLS = PaymentUrls(lambda payment: payment.reference, lambda payment: payment.reference)
Call = Callable[[Session, Payment], object]
CALLS: dict[str, Call] = {
    "refresh": lambda session, payment: refresh_payment_committing(
        session, payment, UNREACHABLE, NOW
    ),
    "process": lambda session, payment: process_payment_committing(
        session, payment, UNREACHABLE, MAIL, NOW
    ),
    "refund": lambda session, payment: refund_payment_committing(
        session, payment, None, "", UNREACHABLE, NOW
    ),
    "registration": lambda session, _payment: pay_registration_committing(
        session,
        session.scalars(select(Registration)).one(),
        UNREACHABLE,
        URLS,
        MAIL,
        NOW,
    ),
    "mail": lambda session, _payment: send_pending_committing(session, NOWHERE, now=NOW),
    "schedule": lambda session, payment: process_schedule_payment_committing(
        session,
        session.scalars(select(Subscription)).one(),
        ProviderPayment("tr_1", PaymentStatus.PAID, None, None),
        MAIL,
        UNREACHABLE,
        NOW,
    ),
}


def paid_payment(session: Session, patron: Patron) -> Payment:
    """A paid payment of the patron, committed."""
    payment = create_payment(session, patron, NOW)
    session.commit()
    return payment


def change_it(session: Session, payment: Payment) -> None:
    """The caller's pending work: a changed row, not flushed yet."""
    payment.description = "changed by the caller"


def flush_a_patron(session: Session, _payment: Payment) -> None:
    """The caller's pending work: a new row, flushed."""
    create_patron(session, None, NOW)


def charge_by_statement(session: Session, payment: Payment) -> None:
    """The caller's pending work: a row INSERTed by a statement, not through the ORM."""
    ledger.charge(session, payment.patron_id or 0, Decimal("1.00"), "Boete", "fine:caller", NOW)


PENDING = {"changed": change_it, "flushed": flush_a_patron, "statement": charge_by_statement}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("pending", PENDING.values(), ids=PENDING.keys())
def test_the_callers_pending_work_is_refused_not_committed(
    db_session: Session, call: Call, pending: Callable[[Session, Payment], None]
) -> None:
    payment = paid_payment(db_session, create_patron(db_session, None, NOW, subscription="0045"))
    create_registration(db_session, None, NOW)
    db_session.commit()
    patrons, entries = count(db_session, Patron), count(db_session, LedgerEntry)
    pending(db_session, payment)
    with pytest.raises(PendingWork):
        call(db_session, payment)
    db_session.rollback()
    assert db_session.get_one(Payment, payment.id).description == "Basis"
    assert (count(db_session, Patron), count(db_session, LedgerEntry)) == (patrons, entries)


def test_an_ended_transaction_leaves_nothing_pending(db_session: Session) -> None:
    for end in (db_session.commit, db_session.rollback, db_session.close):
        charge_by_statement(
            db_session, paid_payment(db_session, create_patron(db_session, None, NOW))
        )
        with pytest.raises(PendingWork):
            require_nothing_pending(db_session)
        end()
        require_nothing_pending(db_session)


def count(session: Session, model: type[Base]) -> int:
    """How many rows the table holds now."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_committing_service_that_fails_leaves_nothing_half_done(db_session: Session) -> None:
    payment = paid_payment(db_session, create_patron(db_session, None, NOW))
    with pytest.raises(DomainError) as refused:
        refund_payment_committing(db_session, payment, Decimal("99.00"), "", UNREACHABLE, NOW)
    assert refused.value.code == "refund_too_much"
    require_nothing_pending(db_session)  # its reservation attempt was rolled back
