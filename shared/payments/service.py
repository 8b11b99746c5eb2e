"""Payment lifecycle: start a payment once, and apply the provider's status exactly once."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import commits_own_work, insert_or_ignore, rows_changed
from shared.models.payment import STATUS_RANK, Payment, PaymentStatus, SequenceType
from shared.payments.provider import (
    PaymentProvider,
    PaymentProviderError,
    PaymentRequest,
    ProviderPayment,
)

log = logging.getLogger(__name__)
REUSABLE = (
    PaymentStatus.CREATED,
    PaymentStatus.OPEN,
    PaymentStatus.PENDING,
    PaymentStatus.AUTHORIZED,
)


@dataclass(frozen=True)
class PaymentUrls:
    """Builders of the return and webhook URL of a payment (they belong to the web app)."""

    return_url: Callable[[Payment], str]
    webhook_url: Callable[[Payment], str]


def reusable_payment(
    payments: list[Payment], amount: object, sequence_type: SequenceType = SequenceType.ONEOFF
) -> Payment | None:
    """An unfinished payment of the same kind and amount that the patron can still complete."""
    for payment in sorted(payments, key=lambda p: p.id, reverse=True):
        same_kind = payment.sequence_type == sequence_type and payment.amount == amount
        if payment.status in REUSABLE and same_kind:
            return payment
    return None


def new_payment(
    session: Session, key_prefix: str, attempt: int, now: datetime, **values: object
) -> Payment:
    """Add a payment row keyed by attempt; a concurrent duplicate gets the existing row."""
    key = f"{key_prefix}-{attempt}"
    session.flush()
    stamps = {"created_at": now, "updated_at": now}
    insert_or_ignore(session, Payment, {"idempotency_key": key, **stamps, **values})
    return session.scalars(select(Payment).where(Payment.idempotency_key == key)).one()


def submit_payment(
    session: Session,
    payment: Payment,
    provider: PaymentProvider,
    urls: PaymentUrls,
    locale: str,
    now: datetime,
) -> Payment:
    """Create the payment at the provider (idempotent by our key) unless that was done."""
    if payment.provider_id is not None:
        return payment
    at_terminal = payment.terminal_id is not None
    request = PaymentRequest(
        amount=payment.amount,
        description=payment.description,
        redirect_url=None if at_terminal else urls.return_url(payment),
        webhook_url=urls.webhook_url(payment),
        idempotency_key=payment.idempotency_key,
        locale=locale,
        method=payment.method,
        metadata={"reference": payment.reference},
        sequence_type=payment.sequence_type,
        customer_id=payment.customer_id,
        terminal_id=payment.terminal_id,
    )
    try:
        remote = provider.create_payment(request)
    except PaymentProviderError as error:
        raise error.about(f"payment {payment.idempotency_key}") from error
    payment.provider_id, payment.checkout_url = remote.id, remote.checkout_url
    apply_status(session, payment, remote, now)
    session.flush()
    return payment


@commits_own_work
def refresh_payment_committing(
    session: Session, payment: Payment, provider: PaymentProvider, now: datetime
) -> PaymentStatus | None:
    """Fetch the status from the provider and apply it; the status this call moved it to.

    Commits (nothing of the caller's: it refuses pending work) before it writes: on SQLite
    (WAL) a read snapshot taken before another request's commit cannot become a write, while a
    fresh write simply waits its turn."""
    if payment.provider_id is None or payment.status.is_final:
        return None
    expected = payment.status
    remote = provider.get_payment(payment.provider_id)
    session.commit()
    return apply_status(session, payment, remote, now, expected)


def apply_status(
    session: Session,
    payment: Payment,
    remote: ProviderPayment,
    now: datetime,
    expected: PaymentStatus | None = None,
) -> PaymentStatus | None:
    """Move to the provider's status if it is further along (stamped `now`); the new status if
    this call did.

    When another caller moved the payment in between (a poll to `pending` while this webhook
    knows `paid`), look again: the further status must still win."""
    new = remote.status
    for _ in range(len(STATUS_RANK)):
        old = expected or payment.status
        if old.is_final or new.rank <= old.rank:
            return None
        changed = rows_changed(
            session,
            update(Payment)
            .where(Payment.id == payment.id, Payment.status == old)
            .values(status=new, paid_at=remote.paid_at, checkout_url=remote.checkout_url)
            .values(updated_at=now)
            .execution_options(synchronize_session=False),
        )
        session.refresh(payment)
        if changed:
            log.info("payment %s: %s -> %s", payment.reference, old, new)
            return new
        expected = None
    return None


def find_by_reference(session: Session, reference: str) -> Payment | None:
    """The payment with our public reference."""
    return session.scalar(select(Payment).where(Payment.reference == reference))


def unfinished_payments(session: Session) -> list[Payment]:
    """Every payment the provider may still change, for reconciliation."""
    # Named, not "not final": an index on the status finds the few that are still open.
    unfinished = [status.value for status in PaymentStatus if not status.is_final]
    query = select(Payment).where(Payment.provider_id.is_not(None), Payment.status.in_(unfinished))
    return list(session.scalars(query.order_by(Payment.id)))


def recent_payments(session: Session, patron_id: int, limit: int = 10) -> list[Payment]:
    """The patron's latest payments, newest first."""
    query = select(Payment).where(Payment.patron_id == patron_id, Payment.provider_id.is_not(None))
    return list(session.scalars(query.order_by(Payment.id.desc()).limit(limit)))
