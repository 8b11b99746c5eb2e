"""Dates for tests that hold on every day of the year, 29 February included."""

from datetime import date

from shared.timeutil import add_months


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 28 February for a 29 February in a year without one (the
    day someone born then is exactly `years` old, as shared.timeutil.age_on counts)."""
    return add_months(day, -12 * years)
