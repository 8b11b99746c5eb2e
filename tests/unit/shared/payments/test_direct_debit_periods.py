"""Direct-debit periods: which period a collection pays, and until when, around month ends."""

from datetime import date, timedelta

import pytest

from shared.models.catalogue import SubscriptionType, Validity
from shared.models.patron import Subscription
from shared.patrons.subscriptions import valid_through
from shared.payments.direct_debit import latest_scheduled_start, period_end, period_start_for
from shared.timeutil import add_months


def schedule(anchor: date, term_months: int) -> Subscription:
    """A direct-debit subscription whose collections start on `anchor`."""
    return Subscription(renewal_start=anchor, type=SubscriptionType(term_months=term_months))


@pytest.mark.parametrize(
    ("anchor", "due", "start", "end"),
    [
        (date(2026, 12, 25), date(2026, 12, 25), date(2026, 12, 25), date(2027, 1, 24)),
        (date(2026, 12, 25), date(2027, 1, 28), date(2027, 1, 25), date(2027, 2, 24)),
        (date(2027, 1, 31), date(2027, 2, 28), date(2027, 2, 28), date(2027, 3, 30)),
        (date(2027, 1, 31), date(2027, 3, 31), date(2027, 3, 31), date(2027, 4, 29)),
        (date(2028, 1, 30), date(2028, 2, 29), date(2028, 2, 29), date(2028, 3, 29)),
        (date(2026, 12, 25), date(2026, 12, 20), date(2026, 12, 25), date(2027, 1, 24)),
    ],
)
def test_monthly_collection_pays_the_period_it_is_due_for(
    anchor: date, due: date, start: date, end: date
) -> None:
    subscription = schedule(anchor, 1)
    assert period_start_for(subscription, due) == start
    assert period_end(subscription, start) == end


def test_monthly_periods_follow_each_other_without_gap_or_overlap() -> None:
    subscription = schedule(date(2027, 1, 31), 1)
    start = subscription.renewal_start
    for _ in range(24):
        end = period_end(subscription, start)
        following = period_start_for(subscription, end + timedelta(days=1))
        assert following == end + timedelta(days=1), (start, end, following)
        start = following


@pytest.mark.parametrize("due", [date(2027, 11, 28), date(2027, 12, 1), date(2027, 12, 10)])
def test_yearly_collection_pays_the_year_from_the_first_of_the_month(due: date) -> None:
    subscription = schedule(date(2027, 12, 1), 12)
    assert period_start_for(subscription, due) == date(2027, 12, 1)
    assert period_end(subscription, date(2027, 12, 1)) == date(2028, 11, 30)
    assert period_start_for(subscription, date(2028, 12, 1)) == date(2028, 12, 1)


@pytest.mark.parametrize(("anchor", "term"), [(date(2027, 1, 31), 1), (date(2026, 12, 29), 3)])
def test_the_latest_collection_day_is_the_last_scheduled_start_up_to_today(
    anchor: date, term: int
) -> None:
    subscription = schedule(anchor, term)
    assert latest_scheduled_start(subscription, anchor - timedelta(days=1)) is None
    for offset in range(800):
        today = anchor + timedelta(days=offset)
        latest = latest_scheduled_start(subscription, today)
        assert latest is not None and latest <= today
        assert period_start_for(subscription, latest) == latest
        assert period_end(subscription, latest) >= today  # the next start is after today


@pytest.mark.parametrize("anchor_day", [1, 15, 16, 28, 29, 30, 31])
@pytest.mark.parametrize("term", [1, 3, 12])
def test_a_due_date_moved_by_business_days_still_pays_its_own_period(
    anchor_day: int, term: int
) -> None:
    """Mollie's due date can fall days after the scheduled day (weekends, holidays, the
    settlement day) or before it (created ahead); a late reconcile reads them years later."""
    anchor = date(2027, 1, anchor_day) if anchor_day <= 28 else date(2027, 3, anchor_day)
    subscription = schedule(anchor, term)
    for index in range(40 // term + 1):
        scheduled = add_months(anchor, index * term)
        for shift in range(-5, 11):
            due = scheduled + timedelta(days=shift)
            assert period_start_for(subscription, due) == scheduled, (scheduled, due)


@pytest.mark.parametrize("day", [29, 30, 31])
def test_monthly_periods_from_a_late_start_keep_its_day_where_the_month_has_it(day: int) -> None:
    start = date(2027, 1, day)
    kind = SubscriptionType(term_months=1, validity=Validity.EXACT)
    subscription = Subscription(start_date=start, end_date=valid_through(kind, start), type=kind)
    following = subscription.end_date + timedelta(days=1)
    for months in range(1, 14):
        assert following == add_months(start, months), (start, months)
        following = period_end(subscription, following) + timedelta(days=1)
