"""Date rules: months that are shorter, 29 February, and the library's day in Amsterdam."""

from datetime import UTC, date, datetime

import pytest

from shared.timeutil import add_months, age_on, end_of_month, local_today
from tests.support.dates import years_before


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2028, 2, 29), -12, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_adding_months_clamps_to_the_last_day_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_the_end_of_february_knows_leap_years() -> None:
    assert end_of_month(date(2028, 2, 3)) == date(2028, 2, 29)
    assert end_of_month(date(2100, 2, 3)) == date(2100, 2, 28)  # no leap year: a century


def test_someone_born_on_29_february_is_a_year_older_on_1_march_in_other_years() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2027, 2, 28)) == 18
    assert age_on(born, date(2027, 3, 1)) == 19
    assert age_on(born, date(2028, 2, 29)) == 20


def test_years_before_a_leap_day_is_the_day_someone_is_exactly_that_old() -> None:
    today = date(2028, 2, 29)
    born = years_before(today, 19)
    assert born == date(2009, 2, 28) and age_on(born, today) == 19
    assert years_before(date(2026, 12, 4), 19) == date(2007, 12, 4)


def test_the_library_day_is_amsterdams_not_utcs() -> None:
    late_evening = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January there
    assert local_today(late_evening) == date(2027, 1, 1)
    summer = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July (CEST)
    assert local_today(summer) == date(2026, 7, 1)
