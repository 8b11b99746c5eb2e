"""Dates for tests that hold on every day of the year, 29 February included."""

from datetime import date, datetime, time

from shared.timeutil import LOCAL_TZ, add_months


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 28 February for a 29 February in a year without one (the
    day someone born then is exactly `years` old, as shared.timeutil.age_on counts)."""
    return add_months(day, -12 * years)


def noon_on(day: date) -> datetime:
    """Midday on a day in the library's time zone (never near a date line)."""
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ)
