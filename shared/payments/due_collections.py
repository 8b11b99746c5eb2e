"""Which direct debits reconciliation asks the provider about: only those where something can
have been missed, found by index, so a pass costs the same at ten thousand members or a million."""

from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shared.models.patron import PaymentPlan, Subscription, schedule_to_start
from shared.models.payment import Payment
from shared.payments.direct_debit import latest_scheduled_start

# How far back a schedule that never started, or a collection whose webhook never came, is still
# looked for. Housekeeping reconciles every few minutes, so this is a margin for long outages.
CATCH_UP = timedelta(days=60)


def schedules_to_start(session: Session, today: date) -> list[Subscription]:
    """Recent direct-debit subscriptions whose provider schedule is not started yet."""
    query = select(Subscription).where(
        schedule_to_start >= today - CATCH_UP, Subscription.cancelled_at.is_(None)
    )
    # Sorted here: asked to sort by id, SQLite walks the table in id order instead of the index.
    return sorted(session.scalars(query), key=lambda subscription: subscription.id)


def collections_to_check(session: Session, today: date) -> list[Subscription]:
    """Running schedules whose latest scheduled collection is due but not recorded.

    A paid collection moves the end date on, so only subscriptions that ended recently (a
    collection due, or one failed) can be missing one."""
    query = select(Subscription).where(
        Subscription.paid_by == PaymentPlan.DIRECT_DEBIT,
        Subscription.end_date < today,
        Subscription.end_date >= today - CATCH_UP,
        Subscription.mollie_subscription_id.is_not(None),
        Subscription.cancelled_at.is_(None),
    )
    candidates = session.scalars(query.order_by(Subscription.id))
    return [s for s in candidates if _missing(session, s, latest_scheduled_start(s, today))]


def _missing(session: Session, subscription: Subscription, due: date | None) -> bool:
    """Whether a collection was due on `due` and none is recorded for that period."""
    if due is None:
        return False
    recorded = exists().where(
        Payment.subscription_id == subscription.id, Payment.period_start == due
    )
    return not session.scalar(select(recorded))
