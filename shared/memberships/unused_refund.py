"""Giving back the unused part of a subscription that the desk cancels now: of each period it
runs through from the current one on, the share of its days after today (a period paid ahead:
all of it) of what payments paid of the period's charge, whatever their channel (signup, pay
link, the kiosk, a collection). It is refunded through those payments (the refunds service:
reserved on the payment, then created at the provider), never more than is left to refund of
each; a cash payment's part in cash from the drawer of the desk that cancels, booked at once.
What else a payment paid (the registration fee, other charges) is not given back.

After an upgrade, the new subscription's first period was paid for the most part by the one it
replaced (the difference only by the new one): what the replaced subscription's payments paid
for the days after today of the period the upgrade cut short is given back as well."""

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.memberships.pro_rata import DAY, Period, current_period, period_from, unused_part
from shared.models.patron import Subscription
from shared.models.payment import Payment, Refund, RefundStatus
from shared.models.subscription_change import ChangeStatus, SubscriptionChange
from shared.payments import ledger
from shared.payments.direct_debit import period_paid_by
from shared.payments.provider import PaymentProvider, PaymentProviderError
from shared.payments.refunds import (
    apply_refund_status,
    refundable,
    reserve_refund,
    submit_refund,
)

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

    @property
    def cash(self) -> Decimal:
        """What is given back in cash: the part of payments made in cash (no provider)."""
        return sum((p.amount for p in self.parts if p.payment.in_cash), Decimal("0.00"))


def unused_refund(session: Session, subscription: Subscription, today: date) -> UnusedRefund:
    """What ending the subscription today gives back of what was paid for its periods."""
    left: dict[int, Decimal] = {}  # what each payment may still give back in this refund
    parts: list[RefundPart] = []
    for period in _periods_run_through(subscription, today):
        parts += _period_part(session, subscription, period, today, left)
    first_end = period_from(subscription, subscription.start_date).end
    parts += _replaced_parts(session, subscription, first_end, today, left)
    return UnusedRefund(tuple(parts))


def _period_part(
    session: Session,
    subscription: Subscription,
    period: Period,
    today: date,
    left: dict[int, Decimal],
) -> list[RefundPart]:
    """What the payments of the subscription's period give back of its days after today."""
    paid = period_paid_by(session, subscription, period.start)
    unused = unused_part(sum(paid.values(), Decimal("0.00")), period, today)
    return _spread(session, unused, paid, left)


def _replaced_parts(
    session: Session, subscription: Subscription, end: date, today: date, left: dict[int, Decimal]
) -> list[RefundPart]:
    """What the subscription an upgrade replaced (and the one it replaced, if any) paid for the
    days after today of its period that the upgrade cut short: that period as it was, to `end`
    (its end date was moved to the day before the upgrade)."""
    replaced = _replaced_by_upgrade(session, subscription)
    if replaced is None:
        return []
    period = Period(current_period(replaced, replaced.end_date).start, end)
    parts = _period_part(session, replaced, period, today, left)
    return parts + _replaced_parts(session, replaced, end, today, left)


def _replaced_by_upgrade(session: Session, subscription: Subscription) -> Subscription | None:
    """The subscription an upgrade replaced by this one, if it began so (only an upgrade
    charged a difference: a change at the next period began after the old one's end)."""
    query = select(SubscriptionChange).where(
        SubscriptionChange.new_subscription_id == subscription.id,
        SubscriptionChange.status == ChangeStatus.STARTED,
        SubscriptionChange.charged.is_not(None),
    )
    change = session.scalars(query).one_or_none()
    return change.subscription if change is not None else None


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
    cash_links: Mapping[str, int] | None = None,
) -> list[Refund]:
    """Claim each part on its payment (committed with the cancellation), and credit the patron
    the unused part: the periods' charges stand, so this credit and the refunds (booked once
    made) leave the patron owing nothing for it. A cash payment's part is handed over from the
    drawer of the desk in `cash_links` (its `desk_id`, `staff_account_id`) and booked at once;
    the others are returned, to be sent to the provider."""
    if refund.amount <= 0:
        return []
    if refund.cash > 0 and cash_links is None:
        raise DomainError("cash_refund_needs_desk")
    key = f"unused:{subscription.id}"
    patron_id = subscription.patron_id
    ledger.credit(session, patron_id, refund.amount, description, key, now, subscription.id)
    to_send = []
    for part in refund.parts:
        links = cash_links if part.payment.in_cash else None
        reserved = reserve_refund(session, part.payment, part.amount, description, now, links)
        if part.payment.in_cash:
            apply_refund_status(session, reserved, RefundStatus.REFUNDED, now)  # handed over
        else:
            to_send.append(reserved)
    return to_send


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
