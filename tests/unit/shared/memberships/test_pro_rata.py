"""The unused part of a paid period, pro rata by day in whole cents rounded down (the library
keeps the fraction): today counts as used; the last day, the first day, a leap year; and which
period a subscription is in."""

from datetime import date
from decimal import Decimal

import pytest

from shared.memberships.pro_rata import Period, current_period, unused_part
from shared.models.catalogue import SubscriptionType
from shared.models.patron import Subscription

BASIS = Decimal("58.00")
YEAR = Period(date(2025, 5, 1), date(2026, 4, 30))


def test_a_period_counts_its_first_and_last_day() -> None:
    assert YEAR.days == 365
    assert Period(date(2024, 1, 1), date(2024, 12, 31)).days == 366


def test_on_the_last_day_nothing_is_unused() -> None:
    assert unused_part(BASIS, YEAR, YEAR.end) == Decimal("0.00")


def test_on_the_first_day_all_but_that_day_is_unused() -> None:
    assert unused_part(BASIS, YEAR, YEAR.start) == Decimal("57.84")  # 58 × 364/365 = 57.841…


def test_a_fraction_of_a_cent_stays_with_the_library() -> None:
    month = Period(date(2026, 1, 15), date(2026, 2, 14))
    assert unused_part(Decimal("5.00"), month, month.start) == Decimal("4.83")  # 4.8387…


@pytest.mark.parametrize(
    ("today", "unused"),
    [
        (date(2024, 2, 28), Decimal("48.65")),  # 307 of 366 days
        (date(2024, 2, 29), Decimal("48.49")),  # 306 of 366 days: the leap day is a day
        (date(2024, 3, 1), Decimal("48.33")),  # 305 of 366 days
    ],
)
def test_in_a_leap_year_each_day_is_a_366th(today: date, unused: Decimal) -> None:
    leap_year = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert unused_part(BASIS, leap_year, today) == unused


def test_in_another_year_each_day_is_a_365th() -> None:
    year = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert unused_part(BASIS, year, date(2025, 2, 28)) == Decimal("48.62")  # 306 of 365 days


def test_a_period_paid_ahead_is_unused_whole_and_one_past_not_at_all() -> None:
    assert unused_part(BASIS, YEAR, date(2025, 4, 1)) == BASIS
    assert unused_part(BASIS, YEAR, date(2026, 5, 1)) == Decimal("0.00")


def test_the_current_period_of_a_subscription_paid_once_is_its_first_until_renewed() -> None:
    basis = Subscription(
        start_date=date(2025, 4, 15),
        end_date=date(2026, 4, 30),
        type=SubscriptionType(term_months=12),
    )
    assert current_period(basis, date(2025, 12, 1)) == Period(date(2025, 4, 15), date(2026, 4, 30))


def test_the_current_period_of_a_monthly_direct_debit_is_the_month_collected_last() -> None:
    monthly = Subscription(
        start_date=date(2026, 1, 15),
        end_date=date(2026, 4, 14),
        renewal_start=date(2026, 2, 15),
        type=SubscriptionType(term_months=1),
    )
    assert current_period(monthly, date(2026, 2, 1)) == Period(date(2026, 1, 15), date(2026, 2, 14))
    assert current_period(monthly, date(2026, 3, 20)) == Period(
        date(2026, 3, 15), date(2026, 4, 14)
    )
