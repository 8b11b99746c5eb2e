"""The first payment of a change to direct debit (iDEAL | Wero, as at signup): it pays the new
subscription's first period and gives the mandate its schedule collects the later ones with.
The change waits for it (`awaiting`); paid, the change is planned (see
`shared/settlement/changes.py`); failed or abandoned, the patron pays again or undoes it."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentPurpose, SequenceType
from shared.models.subscription_change import ChangeStatus, SubscriptionChange
from shared.patrons.changes import change_of
from shared.patrons.subscriptions import current_subscription
from shared.payments.provider import PaymentProvider
from shared.payments.service import PaymentUrls, new_payment, reusable_payment, submit_payment


def awaiting_change(session: Session, patron: Patron) -> SubscriptionChange | None:
    """The patron's change that waits for its first payment, if any."""
    current = current_subscription(patron)
    if current is None:
        return None
    return change_of(session, current.id, ChangeStatus.AWAITING)


def pay_change(
    session: Session,
    patron: Patron,
    provider: PaymentProvider,
    urls: PaymentUrls,
    now: datetime,
) -> Payment:
    """The first payment to send the patron to: the unfinished one, or a new attempt."""
    change = awaiting_change(session, patron)
    if change is None:
        raise DomainError("change_not_awaiting")
    attempts = change_payments(session, change.subscription_id)
    amount = change.type.price
    payment = reusable_payment(attempts, amount, SequenceType.FIRST) or new_payment(
        session,
        f"change-{change.id}",
        len(attempts) + 1,
        now,
        patron_id=patron.id,
        subscription_id=change.subscription_id,  # the current one; the new one's once started
        purpose=PaymentPurpose.CHANGE,
        sequence_type=SequenceType.FIRST,
        customer_id=provider_customer(session, patron, provider),
        amount=amount,
        description=f"{change.type.name(patron.locale)} {change.starts_on.isoformat()}",
    )
    return submit_payment(session, payment, provider, urls, patron.locale, now)


def change_paid_by(session: Session, payment: Payment) -> SubscriptionChange | None:
    """The change a paid first payment planned, if it did."""
    query = select(SubscriptionChange).where(SubscriptionChange.payment_id == payment.id)
    return session.scalar(query)


def change_payments(session: Session, subscription_id: int) -> list[Payment]:
    """The first payments of changes of the subscription, oldest first."""
    query = select(Payment).where(
        Payment.subscription_id == subscription_id, Payment.purpose == PaymentPurpose.CHANGE
    )
    return list(session.scalars(query.order_by(Payment.id)))


def provider_customer(session: Session, patron: Patron, provider: PaymentProvider) -> str:
    """The provider customer that holds the patron's mandates, created once."""
    if patron.mollie_customer_id is None:
        key = f"customer-patron-{patron.id}"
        name, email = patron.display_name, patron.library_email
        patron.mollie_customer_id = provider.create_customer(name, email, patron.locale, key)
        session.flush()
    return patron.mollie_customer_id
