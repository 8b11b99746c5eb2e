"""Giving back the unused part of a subscription that the desk cancels now: of each period it
runs through from the current one on, the share of its days after today (a period paid ahead:
all of it) of what payments paid of the period's charge, whatever their channel (signup, pay
link, the kiosk, a collection). It is refunded through those payments (the refunds service:
reserved on the payment, then created at the provider), never more than is left to refund of
each. What else a payment paid (the registration fee, other charges) is not given back."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.memberships.pro_rata import DAY, Period, current_period, period_from, unused_part
from shared.models.patron import Subscription
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from shared.payments.direct_debit import period_paid_by
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
    left: dict[int, Decimal] = {}  # what each payment may still give back in this refund
    parts: list[RefundPart] = []
    for period in _periods_run_through(subscription, today):
        paid = period_paid_by(session, subscription, period.start)
        unused = unused_part(sum(paid.values(), Decimal("0.00")), period, today)
        parts += _spread(session, unused, paid, left)
    return UnusedRefund(tuple(parts))


def _spread(
    session: Session, amount: Decimal, paid: dict[int, Decimal], left: dict[int, Decimal]
) -> list[RefundPart]:
    """The amount taken from the period's payments in turn, each giving at most what it paid
    of the period and what it can still refund (`left`, lowered by what it gives)."""
    parts = []
    for payment_id in sorted(paid):
        payment = session.get_one(Payment, payment_id)
        available = min(paid[payment_id], left.setdefault(payment_id, refundable(payment)))
        taken = min(amount, available)
        if taken > 0:
            parts.append(RefundPart(payment, taken))
            amount -= taken
            left[payment_id] -= taken
    return parts


def _periods_run_through(subscription: Subscription, today: date) -> Iterator[Period]:
    """The period today falls in and those after it that the subscription runs through (paid
    ahead); one after its end is not given, its charge withdrawn with the cancellation."""
    period = current_period(subscription, today)
    while period.start <= subscription.end_date:
        yield period
        period = period_from(subscription, period.end + DAY)


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
