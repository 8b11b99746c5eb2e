"""A subscription change's status, moved on once (below the memberships and the settlement of
payments, which both move it: the daily job and the undo, and a paid first payment)."""

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import rows_changed
from shared.models.patron import Subscription
from shared.models.subscription_change import ChangeStatus, SubscriptionChange

CHANGED = "changed"  # the cancel reason of a subscription another one replaces


def change_of(
    session: Session, subscription_id: int, *statuses: ChangeStatus
) -> SubscriptionChange | None:
    """The subscription's change in one of the statuses, if any (one at a time)."""
    query = select(SubscriptionChange).where(
        SubscriptionChange.subscription_id == subscription_id,
        SubscriptionChange.status.in_(statuses),
    )
    return session.scalars(query.order_by(SubscriptionChange.id.desc())).first()


def move_change(
    session: Session,
    change: SubscriptionChange,
    old: ChangeStatus,
    new: ChangeStatus,
    **values: object,
) -> bool:
    """Move a change from `old` to `new` (and set `values`) once, by one guarded UPDATE; True
    if this call did."""
    changed = rows_changed(
        session,
        update(SubscriptionChange)
        .where(SubscriptionChange.id == change.id, SubscriptionChange.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False),
    )
    session.refresh(change)
    return changed == 1


def collect_from_next_period(subscription: Subscription) -> None:
    """A direct debit whose first period a first payment paid: the provider's schedule
    collects from the next period, reporting to its own secret webhook."""
    subscription.renewal_start = subscription.end_date + timedelta(days=1)
    subscription.webhook_secret = secrets.token_urlsafe(24)
