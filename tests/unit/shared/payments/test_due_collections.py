"""Which direct debits reconciliation asks the provider about: a schedule not started, or a
collection due and not recorded (also after failed ones); never those paid ahead, cancelled or
long gone."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.patron import PaymentPlan, Subscription
from shared.models.payment import PaymentPurpose, PaymentStatus, SequenceType
from shared.payments.due_collections import ARREARS, collections_to_check, schedules_to_start
from shared.timeutil import add_months, local_today
from tests.support.factories import create_account, create_patron, create_payment

DAY = timedelta(days=1)
MONTHLY, YEARLY = "0049", "0045"


@pytest.fixture
def today(clock: ManualClock) -> date:
    """The test's date."""
    return local_today(clock.now())


def direct_debit(
    session: Session, clock: ManualClock, anchor: date, *, started: bool = True, code: str = MONTHLY
) -> Subscription:
    """A direct debit whose collections start on `anchor`, paid up to the day before."""
    patron = create_patron(
        session, create_account(session, clock.now()), clock.now(), subscription=code
    )
    subscription = patron.subscriptions[0]
    subscription.paid_by = PaymentPlan.DIRECT_DEBIT
    subscription.start_date = add_months(anchor, -(subscription.type.term_months or 1))
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
    cancelled = direct_debit(db_session, clock, today - 2 * DAY)
    cancelled.cancelled_at = clock.now()
    direct_debit(db_session, clock, today - ARREARS - 2 * DAY)  # in arrears for over a year
    assert collections_to_check(db_session, today) == [due]


def test_the_next_collection_after_failed_ones_is_asked_for(
    db_session: Session, clock: ManualClock, today: date
) -> None:
    anchor = add_months(today, -2)
    two_failed = direct_debit(db_session, clock, anchor)
    for months in (0, 1):
        collection(db_session, clock, two_failed, add_months(anchor, months))
    yearly = direct_debit(db_session, clock, add_months(today, -12), code=YEARLY)
    collection(db_session, clock, yearly, add_months(today, -12))
    caught_up = direct_debit(db_session, clock, anchor)
    for months in (0, 1, 2):
        collection(db_session, clock, caught_up, add_months(anchor, months))
    assert collections_to_check(db_session, today) == [two_failed, yearly]


def test_a_schedule_not_started_is_asked_for_until_it_is(
    db_session: Session, clock: ManualClock, today: date
) -> None:
    recent = direct_debit(db_session, clock, add_months(today, 1), started=False)
    long_ago = direct_debit(db_session, clock, add_months(today, -6), started=False)
    direct_debit(db_session, clock, add_months(today, 1))
    assert schedules_to_start(db_session) == [recent, long_ago]
