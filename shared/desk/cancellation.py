"""Cancelling at the desk: now or at the end of the period, for any reason of the catalogue (the
desk's own too), now with or without a refund of the unused part; and withdrawing a
cancellation at the end of the period. Each is recorded in the audit log, before and after."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.db import commits_own_work
from shared.desk import audit
from shared.errors import DomainError
from shared.memberships.cancellation import (
    Cancellation,
    CancelWhen,
    cancel_subscription,
    cancellable,
    withdraw_cancellation,
)
from shared.memberships.unused_refund import (
    UnusedRefund,
    reserve_unused_refund,
    send_refunds_committing,
    unused_refund,
)
from shared.models.account import LoginAccount
from shared.models.desk import Desk
from shared.models.patron import Patron, Subscription
from shared.patrons.changes import CHANGED
from shared.patrons.subscriptions import current_subscription
from shared.payments.provider import PaymentProvider
from shared.timeutil import local_today

CANCELLED = "subscription.cancelled"  # the audit log's actions
WITHDRAWN = "subscription.cancellation_withdrawn"
NO_REFUND = UnusedRefund(())


@dataclass(frozen=True)
class DeskCancellation:
    """What the desk chose: when and why, and whether the unused part goes back (only when
    cancelling now: at the end of the period nothing paid is unused)."""

    cancellation: Cancellation
    refund: bool = False

    @property
    def refunds(self) -> bool:
        """Whether this cancellation gives the unused part back."""
        return self.refund and self.cancellation.when == CancelWhen.NOW


def audited(subscription: Subscription) -> dict[str, object]:
    """What the audit log keeps of a subscription before and after a cancellation."""
    return {
        "status": subscription.status,
        "end_date": subscription.end_date,
        "cancel_reason": subscription.cancel_reason,
        "paid_by": subscription.paid_by,
    }


@dataclass(frozen=True)
class DeskCancelled:
    """What a cancellation at the desk did: the subscription after it, what is refunded, and
    whether every refund reached the provider (else reconcile sends it), and what of it the
    desk hands over in cash."""

    subscription: Subscription
    refunded: Decimal
    sent: bool
    cash: Decimal = Decimal("0.00")  # of the refund, to hand over from the desk's drawer


@commits_own_work
def cancel_at_desk_committing(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    chosen: DeskCancellation,
    refund_description: str,
    provider: PaymentProvider,
    now: datetime,
    desk: Desk | None = None,
) -> DeskCancelled:
    """Cancel the patron's subscription as the desk chose, reserving the refund of the unused
    part when asked, in the audit log, and commit; then send the refunds to the provider. What
    cash paid is handed over in cash from the drawer of `desk` (refused without one)."""
    subscription = cancellable(patron, local_today(now))
    before = audited(subscription)
    refund = _refund_asked(session, subscription, chosen, now)
    cancel_subscription(session, patron, chosen.cancellation, provider, now, desk=True)
    links = {"desk_id": desk.id, "staff_account_id": staff.id} if desk is not None else None
    refunds = reserve_unused_refund(session, subscription, refund, refund_description, now, links)
    after = audited(subscription) | (_refund_audited(refund, desk) if chosen.refunds else {})
    audit.record(session, staff, CANCELLED, now, patron.id, before, after)
    session.commit()
    sent = send_refunds_committing(session, refunds, provider, now)
    return DeskCancelled(subscription, refund.amount, sent, refund.cash)


def _refund_audited(refund: UnusedRefund, desk: Desk | None) -> dict[str, object]:
    """What the audit log keeps of the refund: its amount, and the cash part and its desk."""
    if refund.cash <= 0 or desk is None:
        return {"refund": refund.amount}
    return {"refund": refund.amount, "cash": refund.cash, "desk": desk.code}


def _refund_asked(
    session: Session, subscription: Subscription, chosen: DeskCancellation, now: datetime
) -> UnusedRefund:
    """The unused part when the desk asked to refund it (refused when there is none)."""
    if not chosen.refunds:
        return NO_REFUND
    refund = unused_refund(session, subscription, local_today(now))
    if refund.amount <= 0:
        raise DomainError("nothing_to_refund")
    return refund


def withdraw_at_desk(
    session: Session, staff: LoginAccount, patron: Patron, now: datetime
) -> Subscription:
    """Withdraw the cancellation of the patron's subscription, in the audit log; one that a
    planned change made is refused: undoing the change withdraws it (and ends the change)."""
    current = current_subscription(patron)
    if current is not None and current.cancel_reason == CHANGED:
        raise DomainError("cancellation_is_change")
    before = audited(current) if current is not None else None
    subscription = withdraw_cancellation(session, patron, now)
    audit.record(session, staff, WITHDRAWN, now, patron.id, before, audited(subscription))
    return subscription
