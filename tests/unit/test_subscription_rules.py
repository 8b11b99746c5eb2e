"""Age bands and validity dates of the subscription catalogue."""

from datetime import date
from decimal import Decimal

import pytest

from shared.models.catalogue import SubscriptionType
from shared.patrons.subscriptions import check_age, valid_through
from shared.timeutil import age_on


def subscription(**values: object) -> SubscriptionType:
    """A catalogue entry with sensible defaults."""
    defaults = {
        "code": "0045",
        "names": {"nl": "Basis"},
        "summaries": {"nl": ""},
        "price": Decimal("58.00"),
        "term_months": 12,
        "validity": "end_of_month",
        "min_age": 19,
        "max_age": 99,
    }
    return SubscriptionType(**{**defaults, **values})


@pytest.mark.parametrize(
    ("signed_up", "expected"),
    [
        (date(2021, 4, 15), date(2022, 4, 30)),  # the example of DOMAIN.md
        (date(2026, 1, 1), date(2027, 1, 31)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2026, 12, 31), date(2027, 12, 31)),
    ],
)
def test_twelve_months_run_to_the_end_of_the_same_month_next_year(
    signed_up: date, expected: date
) -> None:
    assert valid_through(subscription(), signed_up) == expected


@pytest.mark.parametrize(
    ("signed_up", "expected"),
    [(date(2026, 1, 15), date(2026, 2, 14)), (date(2026, 1, 31), date(2026, 2, 27))],
)
def test_one_month_runs_to_the_day_before_the_same_date(signed_up: date, expected: date) -> None:
    monthly = subscription(code="0091", term_months=1, validity="exact")
    assert valid_through(monthly, signed_up) == expected


def test_age_is_counted_in_whole_years_on_the_signup_date() -> None:
    assert age_on(date(2007, 11, 22), date(2026, 11, 21)) == 18
    assert age_on(date(2007, 11, 22), date(2026, 11, 22)) == 19
    assert age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18


@pytest.mark.parametrize(
    ("birth", "refused", "youth"),
    [
        (date(2007, 11, 22), False, False),  # 19 today: allowed
        (date(2007, 11, 23), True, True),  # 18 until tomorrow: youth
        (date(1927, 11, 22), False, False),  # 99 today: allowed
        (date(1926, 11, 22), True, False),  # 100: outside 19-99
    ],
)
def test_age_band_holds_on_the_signup_date(birth: date, refused: bool, youth: bool) -> None:
    refusal = check_age(subscription(), birth, date(2026, 11, 22))
    assert (refusal is not None) == refused
    if refusal:
        assert refusal.is_youth == youth
        assert (refusal.min_age, refusal.max_age) == (19, 99)


def test_adult_subscription_without_upper_bound() -> None:
    digital = subscription(code="0141", max_age=None)
    assert check_age(digital, date(1910, 1, 1), date(2026, 11, 22)) is None
