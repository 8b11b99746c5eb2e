"""Refunds: give back all or part of a paid payment, never more than was paid, even when racing."""

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import commits_own_work, insert_or_ignore, rows_changed
from shared.errors import DomainError
from shared.models.payment import Payment, PaymentStatus, Refund, RefundStatus
from shared.money import to_amount
from shared.payments import ledger
from shared.payments.provider import PaymentProvider, PaymentRefused, ProviderRefund, RefundRequest
from shared.text import check_text

log = logging.getLogger(__name__)
RANK = {
    RefundStatus.REQUESTED: 0,
    RefundStatus.QUEUED: 1,
    RefundStatus.PENDING: 2,
    RefundStatus.PROCESSING: 3,
    **{status: 4 for status in RefundStatus if status.is_final},
}


@commits_own_work
def refund_payment_committing(
    session: Session,
    payment: Payment,
    amount: Decimal | None,
    description: str,
    provider: PaymentProvider,
    now: datetime,
    reserved: Callable[[Refund], object] | None = None,
    links: Mapping[str, int] | None = None,
) -> Refund:
    """Reserve and commit the amount first (so racing requests see it), then ask the provider
    and commit its answer; refuses to start while the caller has work uncommitted. `reserved`
    adds to the reservation's commit (the desk's audit entry); `links` are the refund's
    (`desk_id`, `staff_account_id`)."""
    refund = reserve_refund(session, payment, amount, description, now, links)
    if reserved is not None:
        reserved(refund)
    session.commit()
    submit_refund(session, refund, provider, now)
    session.commit()
    return refund


def refundable(payment: Payment) -> Decimal:
    """What may still be refunded of a payment: neither refunded nor taken back by the bank."""
    return payment.amount - payment.amount_refunded - payment.amount_charged_back


def reserve_refund(
    session: Session,
    payment: Payment,
    amount: Decimal | None,
    description: str,
    now: datetime,
    links: Mapping[str, int] | None = None,
) -> Refund:
    """Claim the amount on the payment atomically; refused beyond what is left to refund (what
    was neither refunded nor taken back by the bank)."""
    check_text("description", description, Refund.description)
    session.refresh(payment)
    wanted = to_amount(amount if amount is not None else refundable(payment))
    if wanted <= 0:
        raise DomainError("refund_amount_invalid")
    claimed = rows_changed(
        session,
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PaymentStatus.PAID)
        .where(Payment.amount_refunded + Payment.amount_charged_back + wanted <= Payment.amount)
        .values(amount_refunded=Payment.amount_refunded + wanted)
        .execution_options(synchronize_session=False),
    )
    session.refresh(payment)
    if not claimed:
        available = to_amount(max(refundable(payment), Decimal(0)))
        raise DomainError("refund_too_much", available=available)
    refund = Refund(
        payment_id=payment.id,
        amount=wanted,
        description=description,
        idempotency_key=f"refund-{payment.id}-{uuid.uuid4().hex}",
        created_at=now,
        updated_at=now,
        **(links or {}),
    )
    session.add(refund)
    session.flush()
    return refund


def submit_refund(
    session: Session, refund: Refund, provider: PaymentProvider, now: datetime
) -> None:
    """Create the refund at the provider once (adopting one an earlier attempt made)."""
    if refund.provider_id is not None:
        return
    payment = session.get_one(Payment, refund.payment_id)
    assert payment.provider_id is not None
    earlier = _provider_refund_of(refund, provider.list_refunds(payment.provider_id))
    try:
        remote = earlier or provider.create_refund(
            RefundRequest(
                payment_id=payment.provider_id,
                amount=refund.amount,
                description=refund.description or payment.description,
                idempotency_key=refund.idempotency_key,
                metadata={"refund": str(refund.id)},
            )
        )
    except PaymentRefused as error:
        log.error("refund %s of payment %s refused: %s", refund.id, payment.reference, error)
        apply_refund_status(session, refund, RefundStatus.FAILED, now)
        return
    refund.provider_id = remote.id
    session.flush()
    apply_refund_status(session, refund, remote.status, now)


def _provider_refund_of(refund: Refund, remote: list[ProviderRefund]) -> ProviderRefund | None:
    """The provider's refund made for our refund row, if an earlier attempt got that far."""
    return next((r for r in remote if r.metadata.get("refund") == str(refund.id)), None)


def apply_refund_status(session: Session, refund: Refund, new: RefundStatus, now: datetime) -> bool:
    """Move forward only: a failed or cancelled refund frees its amount; refunded is booked."""
    old = refund.status
    if old.is_final or RANK[new] <= RANK[old]:
        return False
    moved = rows_changed(
        session,
        update(Refund)
        .where(Refund.id == refund.id, Refund.status == old)
        .values(status=new, updated_at=now)
        .execution_options(synchronize_session=False),
    )
    session.refresh(refund)
    if not moved:
        return False
    payment = session.get_one(Payment, refund.payment_id)
    if not new.returns_money:
        _release(session, payment, refund.amount)
    if new == RefundStatus.REFUNDED:
        ledger.record_refund(session, refund, payment, now)
    log.info("refund %s of payment %s: %s -> %s", refund.id, payment.reference, old, new)
    return True


def _release(session: Session, payment: Payment, amount: Decimal) -> None:
    """Give a failed refund's amount back to what may still be refunded."""
    session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(amount_refunded=Payment.amount_refunded - amount)
        .execution_options(synchronize_session=False)
    )
    session.refresh(payment)


def unsettled_refunds(session: Session, payment_id: int | None = None) -> list[Refund]:
    """Refunds the provider may still change (or that never reached it), oldest first."""
    # Named, not "not final": an index on the status finds the few that are still open.
    unsettled = [status.value for status in RefundStatus if not status.is_final]
    query = select(Refund).where(Refund.status.in_(unsettled))
    if payment_id is not None:
        query = query.where(Refund.payment_id == payment_id)
    return list(session.scalars(query.order_by(Refund.id)))


def sync_refunds(
    session: Session, payment: Payment, provider: PaymentProvider, now: datetime
) -> None:
    """Bring the payment's refunds up to date with the provider, recording ones made there."""
    if payment.provider_id is None:
        return
    remote = provider.list_refunds(payment.provider_id)
    for refund in unsettled_refunds(session, payment.id):
        if refund.provider_id is None:
            submit_refund(session, refund, provider, now)
    ours = {
        r.provider_id: r
        for r in session.scalars(select(Refund).where(Refund.payment_id == payment.id))
    }
    for item in remote:
        refund = ours.get(item.id) or _adopt(session, payment, item, now)
        apply_refund_status(session, refund, item.status, now)


def _adopt(session: Session, payment: Payment, remote: ProviderRefund, now: datetime) -> Refund:
    """A refund made outside OpenBalie (the provider's dashboard): recorded so every euro shows."""
    log.warning("refund %s of payment %s was made outside OpenBalie", remote.id, payment.reference)
    inserted = insert_or_ignore(
        session,
        Refund,
        {
            "payment_id": payment.id,
            "idempotency_key": f"mollie-{remote.id}",
            "provider_id": remote.id,
            "amount": remote.amount,
            "description": "",
            "status": RefundStatus.REQUESTED,
            "created_at": now,
            "updated_at": now,
        },
    )
    if inserted:
        session.execute(
            update(Payment)
            .where(Payment.id == payment.id)
            .values(amount_refunded=Payment.amount_refunded + remote.amount)
            .execution_options(synchronize_session=False)
        )
    return session.scalars(select(Refund).where(Refund.provider_id == remote.id)).one()


def payments_with_unknown_refunds(session: Session, remote: list[ProviderRefund]) -> set[str]:
    """The provider ids of payments with a refund we have not recorded (made in the dashboard)."""
    known = set(
        session.scalars(
            select(Refund.provider_id).where(Refund.provider_id.in_([r.id for r in remote]))
        )
    )
    return {refund.payment_id for refund in remote if refund.id not in known}
