"""Which direct debits reconciliation asks the provider about: a schedule not started, or a
collection due and not recorded; never those paid ahead, cancelled or long gone."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.patron import PaymentPlan, Subscription
from shared.models.payment import PaymentPurpose, PaymentStatus, SequenceType
from shared.payments.due_collections import (
    CATCH_UP,
    collections_to_check,
    schedules_to_start,
)
from shared.timeutil import add_months, local_today
from tests.support.factories import create_account, create_patron, create_payment

DAY = timedelta(days=1)


@pytest.fixture
def today(clock: ManualClock) -> date:
    """The test's date."""
    return local_today(clock.now())


def direct_debit(
    session: Session, clock: ManualClock, anchor: date, *, started: bool = True
) -> Subscription:
    """A monthly direct debit whose collections start on `anchor`, paid up to the day before."""
    patron = create_patron(
        session, create_account(session, clock.now()), clock.now(), subscription="0049"
    )
    subscription = patron.subscriptions[0]
    subscription.paid_by = PaymentPlan.DIRECT_DEBIT
    subscription.start_date = add_months(anchor, -1)
    subscription.renewal_start = anchor
    subscription.end_date = anchor - DAY
    subscription.mollie_subscription_id = f"sub_test{subscription.id}" if started else None
    session.flush()
    return subscription


def collection(
    session: Session, clock: ManualClock, subscription: Subscription, start: date
) -> None:
    """A collection recorded for the period from `start`, failed."""
    create_payment(
        session,
        subscription.patron,
        clock.now(),
        status=PaymentStatus.FAILED,
        purpose=PaymentPurpose.PERIOD,
        sequence_type=SequenceType.RECURRING,
        subscription_id=subscription.id,
        period_start=start,
    )


def test_only_a_due_collection_without_a_record_is_asked_for(
    db_session: Session, clock: ManualClock, today: date
) -> None:
    due = direct_debit(db_session, clock, today - 2 * DAY)
    direct_debit(db_session, clock, today + 3 * DAY)  # paid ahead: nothing due yet
    recorded = direct_debit(db_session, clock, today - 2 * DAY)
    collection(db_session, clock, recorded, today - 2 * DAY)
    in_arrears = direct_debit(db_session, clock, add_months(today, -1) - DAY)
    collection(db_session, clock, in_arrears, add_months(today, -1) - DAY)  # failed; next is due
    cancelled = direct_debit(db_session, clock, today - 2 * DAY)
    cancelled.cancelled_at = clock.now()
    direct_debit(db_session, clock, today - CATCH_UP - 2 * DAY)  # ended before the catch-up
    assert collections_to_check(db_session, today) == [due, in_arrears]


def test_a_schedule_not_started_is_asked_for_while_recent(
    db_session: Session, clock: ManualClock, today: date
) -> None:
    recent = direct_debit(db_session, clock, add_months(today, 1), started=False)
    long_ago = direct_debit(db_session, clock, add_months(today, 1), started=False)
    long_ago.start_date = today - CATCH_UP - DAY
    direct_debit(db_session, clock, add_months(today, 1))
    assert schedules_to_start(db_session, today) == [recent]
