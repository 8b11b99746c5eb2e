"""Direct-debit schedules that the provider ended on its own (suspended when the bank made the
mandate invalid, cancelled in Mollie's dashboard): Mollie sends no webhook for either, so they
are noticed by fetching the schedule."""

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import Session

from shared.db import rows_changed
from shared.models.mandate import Mandate, MandateStatus
from shared.models.patron import REFUSED_STATUSES, PaymentPlan, Subscription
from shared.payments.provider import PaymentProvider

# Each running schedule is asked about once in the week before its next collection: in time
# for the patron to pay that period another way, and once per term (see docs/payments.md).
LEAD = timedelta(days=7)
PER_PASS = 100  # schedules asked about per pass at most, soonest collection first


def schedules_to_check(session: Session, today: date) -> list[Subscription]:
    """Running schedules whose next collection is within a week, not asked about this week,
    soonest first."""
    # Never asked, and asked a week ago or more: two queries, so that each condition on
    # schedule_checked_on is checked in the index (an OR would be checked on every row read).
    never = Subscription.schedule_checked_on.is_(None)
    long_ago = Subscription.schedule_checked_on <= today - LEAD
    found = [
        s
        for checked in (never, long_ago)
        for s in session.scalars(_due_within_a_week(today, checked))
    ]
    return sorted(found, key=lambda s: (s.end_date, s.id))[:PER_PASS]


def _due_within_a_week(today: date, checked: ColumnElement[bool]) -> Select[Subscription]:
    """The running schedules collecting within a week that were asked about as `checked` says."""
    return (
        select(Subscription)
        .where(
            Subscription.paid_by == PaymentPlan.DIRECT_DEBIT,
            Subscription.end_date >= today,
            Subscription.end_date < today + LEAD,
            checked,
            Subscription.mollie_subscription_id.is_not(None),
            Subscription.cancelled_at.is_(None),
            Subscription.status.not_in(REFUSED_STATUSES),  # their schedule is stopped
        )
        .order_by(Subscription.paid_by, Subscription.end_date)
        .limit(PER_PASS)
    )


def schedule_has_ended(
    session: Session, subscription: Subscription, provider: PaymentProvider, today: date
) -> bool:
    """Fetch the schedule (and note that it was asked about); True once the provider ended it,
    then the mandates' statuses are brought up to date too."""
    customer = subscription.patron.mollie_customer_id or ""
    remote = provider.get_subscription(customer, subscription.mollie_subscription_id or "")
    if not remote.status.running:
        _refresh_mandates(session, subscription, provider)
    # Written after the calls: on SQLite a pending write would hold the lock through them.
    subscription.schedule_checked_on = today
    return not remote.status.running


def end_direct_debit(session: Session, subscription: Subscription) -> bool:
    """Collect no more by direct debit; the paid period stays. True for the one caller (of
    however many processes) that ended it."""
    ended = rows_changed(
        session,
        update(Subscription)
        .where(
            Subscription.id == subscription.id,
            Subscription.paid_by == PaymentPlan.DIRECT_DEBIT,
            Subscription.cancelled_at.is_(None),
        )
        .values(paid_by=PaymentPlan.ONCE)
        .execution_options(synchronize_session=False),
    )
    session.refresh(subscription)
    return ended == 1


def mandate_made_invalid(session: Session, subscription: Subscription) -> bool:
    """Whether the bank made one of the patron's mandates invalid."""
    query = select(Mandate.id).where(
        Mandate.patron_id == subscription.patron_id, Mandate.status == MandateStatus.INVALID
    )
    return session.scalar(query) is not None


def _refresh_mandates(
    session: Session, subscription: Subscription, provider: PaymentProvider
) -> None:
    """The provider's status of the patron's mandates that we still hold in force."""
    query = select(Mandate).where(Mandate.patron_id == subscription.patron_id)
    for mandate in session.scalars(query):
        if mandate.status.in_force:
            mandate.status = provider.get_mandate(mandate.customer_id, mandate.provider_id).status
    session.flush()
