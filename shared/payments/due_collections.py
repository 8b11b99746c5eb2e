"""Which direct debits reconciliation asks the provider about: only those where something can
have been missed, found by index, so a pass costs the same at ten thousand members or a million."""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.models.patron import PaymentPlan, Subscription, schedule_to_start
from shared.models.payment import Payment
from shared.payments.direct_debit import latest_scheduled_start

# How long a subscription in arrears (its end date not moved on by a paid collection) is still
# followed: a year and a month, so a yearly schedule with one failed collection is too.
ARREARS = timedelta(days=400)
BATCH = 500  # subscriptions per look-up of their recorded collections


def schedules_to_start(session: Session) -> list[Subscription]:
    """Direct-debit subscriptions whose provider schedule is not started yet (retried until it
    is: an index holds only these)."""
    # Every date, as a range: SQLite reads a range from the index, "IS NOT NULL" it does not.
    query = select(Subscription).where(
        schedule_to_start >= date.min, Subscription.cancelled_at.is_(None)
    )
    # Sorted here: asked to sort by id, SQLite walks the table in id order instead of the index.
    return sorted(session.scalars(query), key=lambda subscription: subscription.id)


def collections_to_check(session: Session, today: date) -> list[Subscription]:
    """Running schedules whose latest scheduled collection is due but not recorded.

    A paid collection moves the end date on, so only subscriptions that ended (a collection
    due, on its way, or failed) can be missing one; their latest recorded period is read for
    a batch at a time, not one query each."""
    query = select(Subscription).where(
        Subscription.paid_by == PaymentPlan.DIRECT_DEBIT,
        Subscription.end_date < today,
        Subscription.end_date >= today - ARREARS,
        Subscription.mollie_subscription_id.is_not(None),
        Subscription.cancelled_at.is_(None),
    )
    candidates = sorted(session.scalars(query), key=lambda subscription: subscription.id)
    recorded = _latest_recorded(session, (s.id for s in candidates))
    return [s for s in candidates if _missing(s, recorded.get(s.id), today)]


def _latest_recorded(session: Session, ids: Iterable[int]) -> dict[int, date]:
    """The latest period with a recorded collection, per subscription."""
    ids, latest = list(ids), dict[int, date]()
    for start in range(0, len(ids), BATCH):
        query = (
            select(Payment.subscription_id, func.max(Payment.period_start))
            .where(Payment.subscription_id.in_(ids[start : start + BATCH]))
            .group_by(Payment.subscription_id)
        )
        latest.update({sid: start for sid, start in session.execute(query) if sid and start})
    return latest


def _missing(subscription: Subscription, recorded: date | None, today: date) -> bool:
    """Whether the schedule's latest collection up to today is unpaid and not recorded."""
    due = latest_scheduled_start(subscription, today)
    return due is not None and due > subscription.end_date and (recorded is None or recorded < due)
