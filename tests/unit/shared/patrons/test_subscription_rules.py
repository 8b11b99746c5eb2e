"""Age bands and validity dates of the subscription catalogue."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.catalogue import SubscriptionType
from shared.patrons.subscriptions import check_age, current_subscription, valid_through
from shared.timeutil import age_on
from tests.support.dates import years_before
from tests.support.factories import create_patron, create_subscription


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


@pytest.mark.parametrize(
    ("code", "start", "through"),
    [
        ("0045", date(2028, 2, 29), date(2029, 2, 28)),  # Basis: to the end of the month
        ("0053", date(2026, 1, 31), date(2027, 1, 31)),  # Compleet
        ("0049", date(2028, 1, 31), date(2028, 2, 28)),  # monthly: the day before, clamped
        ("0091", date(2026, 2, 28), date(2026, 3, 27)),
    ],
)
def test_the_catalogues_subscriptions_run_as_their_rule_says(
    db_session: Session, code: str, start: date, through: date
) -> None:
    assert valid_through(db_session.get_one(SubscriptionType, code), start) == through


@pytest.mark.parametrize(
    ("code", "age", "allowed"),
    [("0045", 19, True), ("0045", 100, False), ("0053", 110, True), ("0021", 31, False)],
)
def test_the_catalogues_age_bands_hold_on_29_february(
    db_session: Session, code: str, age: int, allowed: bool
) -> None:
    today = date(2028, 2, 29)
    refusal = check_age(db_session.get_one(SubscriptionType, code), years_before(today, age), today)
    assert (refusal is None) == allowed


def test_the_current_subscription_is_the_one_that_runs_longest(
    db_session: Session, clock: ManualClock
) -> None:
    patron = create_patron(db_session, None, clock.now())
    assert current_subscription(patron) is None
    later = create_subscription(db_session, patron, "0045", date(2027, 1, 1))
    create_subscription(db_session, patron, "0053", date(2026, 1, 1))
    assert current_subscription(patron) == later


@pytest.mark.parametrize(
    ("born", "through"),
    [
        (date(2010, 6, 15), date(2029, 6, 14)),
        (date(2008, 2, 29), date(2027, 2, 28)),  # 19 on 1 March, as age_on counts
        (date(2007, 1, 1), date(2025, 12, 31)),
    ],
)
def test_youth_is_valid_through_the_day_before_the_19th_birthday(born: date, through: date) -> None:
    youth = subscription(
        code="jeugd", validity="until_age", term_months=None, min_age=0, max_age=18
    )
    assert valid_through(youth, date(2026, 5, 1), born) == through
    assert (
        age_on(born, through) == 18
        and age_on(born, date.fromordinal(through.toordinal() + 1)) == 19
    )


def test_a_subscription_until_an_age_needs_the_birth_date() -> None:
    youth = subscription(
        code="jeugd", validity="until_age", term_months=None, min_age=0, max_age=18
    )
    with pytest.raises(ValueError, match="until_age"):
        valid_through(youth, date(2026, 5, 1))
