"""Time rules: UTC in storage, Europe/Amsterdam for dates that patrons see and rules use."""

import calendar
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
# The Babel locale that writes dates and amounts in a language: English as in Britain
# (3 December 2026, 03/12/2026), never the American short form.
FORMAT_LOCALES = {"en": "en_GB"}
# The end date of what never ends (a subscription *vast*: staff, volunteers), written as "no end
# date" wherever it is shown. A date still, so every rule that compares end dates holds.
NO_END = date.max


def format_locale(language: str) -> str:
    """The locale to write dates and amounts in for a language ("en" → "en_GB")."""
    return FORMAT_LOCALES.get(language, language)


def local_today(now: datetime) -> date:
    """The date of a moment in the library's time zone."""
    return now.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """The moment a day begins in the library's time zone."""
    return datetime.combine(day, time(), LOCAL_TZ)


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a given date."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def add_months(start: date, months: int, day: int | None = None) -> date:
    """The same day (or `day`) `months` later, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day or start.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    """The last day of the month that `day` is in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_hour(now: datetime) -> str:
    """The quarter of an hour a moment falls in, for "at most once per quarter of an hour"."""
    return now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0).isoformat()
