"""Moments and dates as Mollie writes them."""

from datetime import UTC, datetime

from shared.timeutil import local_today


def timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC to the second, as Mollie writes it (2018-03-20T09:13:37+00:00)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def day(moment: datetime) -> str:
    """The date in Amsterdam at `moment`, written YYYY-MM-DD, as Mollie writes dates."""
    return local_today(moment).isoformat()
