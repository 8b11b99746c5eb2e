"""Cancelling a membership: it ends after the paid period, and direct debit stops."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.patron import Patron, PaymentPlan, Subscription
from shared.patrons.status import cancel
from shared.patrons.subscriptions import current_subscription
from shared.payments import direct_debit
from shared.payments.provider import PaymentProvider


def cancel_subscription(
    session: Session, patron: Patron, provider: PaymentProvider, now: datetime
) -> Subscription:
    """End the subscription after the paid period: stop direct debit, renew nothing."""
    subscription = current_subscription(patron)
    if subscription is None or subscription.cancelled_at is not None:
        raise DomainError("nothing_to_cancel")
    if subscription.paid_by == PaymentPlan.DIRECT_DEBIT:
        return direct_debit.revoke(session, patron, provider, now)
    cancel(session, subscription, now)
    return subscription
