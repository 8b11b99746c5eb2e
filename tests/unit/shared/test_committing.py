"""Services that commit along the way commit only their own work, never their caller's."""

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import SYSTEM_CLOCK
from shared.db import PendingWork
from shared.mail.settings import MailSettings
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, PaymentStatus
from shared.payments.mollie import MollieProvider
from shared.payments.provider import ProviderPayment
from shared.payments.refunds import refund_payment_committing
from shared.payments.service import refresh_payment_committing
from shared.settlement.events import process_payment_committing, process_schedule_payment_committing
from tests.support.factories import create_patron, create_payment

# Never reached: each service refuses before it asks the provider anything.
UNREACHABLE = MollieProvider("test_unreachable", "http://127.0.0.1:9", 0.5)
MAIL = MailSettings("secret", "bibliotheek@example.nl", *[lambda token: token] * 5)
NOW = SYSTEM_CLOCK.now()
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


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("flushed", [False, True], ids=["added", "flushed"])
def test_the_callers_pending_work_is_refused_not_committed(
    db_session: Session, call: Call, flushed: bool
) -> None:
    payment = paid_payment(db_session, create_patron(db_session, None, NOW, subscription="0045"))
    newcomer = create_patron(db_session, None, NOW) if flushed else None
    if not flushed:
        payment.description = "changed by the caller"
    with pytest.raises(PendingWork):
        call(db_session, payment)
    db_session.rollback()
    assert db_session.get(Payment, payment.id).description == "Basis"
    names = db_session.scalars(select(Patron.surname)).all()
    assert newcomer is None or newcomer.surname not in names
