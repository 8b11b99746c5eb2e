"""Giving back the unused part of a subscription that the desk cancels now: of each period paid
from the current one on, the share of its days after today (a period paid ahead: all of it) of
what the library still holds of the period's payments, refunded through those payments (the
refunds service: reserved on the payment, then created at the provider)."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.memberships.pro_rata import current_period, period_from, unused_part
from shared.models.patron import Subscription
from shared.models.payment import Payment, PaymentStatus, Refund
from shared.payments import ledger
from shared.payments.provider import PaymentProvider, PaymentProviderError
from shared.payments.refunds import refundable, reserve_refund, submit_refund

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefundPart:
    """What one payment gives back."""

    payment: Payment
    amount: Decimal


@dataclass(frozen=True)
class UnusedRefund:
    """The refunds that give back the unused part, payment by payment."""

    parts: tuple[RefundPart, ...]

    @property
    def amount(self) -> Decimal:
        """All that is given back."""
        return sum((part.amount for part in self.parts), Decimal("0.00"))


def unused_refund(session: Session, subscription: Subscription, today: date) -> UnusedRefund:
    """What ending the subscription today gives back of what was paid for its periods."""
    first = current_period(subscription, today).start
    parts: list[RefundPart] = []
    for start, payments in _paid_periods(session, subscription, first).items():
        held = sum((refundable(payment) for payment in payments), Decimal("0.00"))
        parts += _spread(unused_part(held, period_from(subscription, start), today), payments)
    return UnusedRefund(tuple(parts))


def _paid_periods(
    session: Session, subscription: Subscription, first: date
) -> dict[date, list[Payment]]:
    """The paid payments of each period from `first` on, oldest first."""
    query = select(Payment).where(
        Payment.subscription_id == subscription.id,
        Payment.status == PaymentStatus.PAID,
        Payment.period_start >= first,
    )
    periods: dict[date, list[Payment]] = defaultdict(list)
    for payment in session.scalars(query.order_by(Payment.id)):
        if payment.period_start is not None:
            periods[payment.period_start].append(payment)
    return periods


def _spread(amount: Decimal, payments: list[Payment]) -> list[RefundPart]:
    """The amount taken from the payments in turn, each giving what it can still refund."""
    parts = []
    for payment in payments:
        taken = min(amount, refundable(payment))
        if taken > 0:
            parts.append(RefundPart(payment, taken))
            amount -= taken
    return parts


def reserve_unused_refund(
    session: Session,
    subscription: Subscription,
    refund: UnusedRefund,
    description: str,
    now: datetime,
) -> list[Refund]:
    """Claim each part on its payment (committed with the cancellation, then sent), and credit
    the patron the unused part: the periods' charges stand, so this credit and the refunds
    (booked once the provider made them) leave the patron owing nothing for it."""
    if refund.amount <= 0:
        return []
    key = f"unused:{subscription.id}"
    patron_id = subscription.patron_id
    ledger.credit(session, patron_id, refund.amount, description, key, now, subscription.id)
    return [
        reserve_refund(session, part.payment, part.amount, description, now)
        for part in refund.parts
    ]


def send_refunds_committing(
    session: Session, refunds: list[Refund], provider: PaymentProvider, now: datetime
) -> bool:
    """Create each reserved refund at the provider and commit its answer; False when the
    provider could not be reached (reconcile sends what is left)."""
    for refund in refunds:
        try:
            submit_refund(session, refund, provider, now)
        except PaymentProviderError as error:
            session.rollback()
            log.warning("refund %s not sent yet, reconcile will: %s", refund.id, error)
            return False
        session.commit()
    return True
