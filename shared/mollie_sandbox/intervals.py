"""Mollie's subscription intervals ("1 month", "14 days", "12 months"): reading and stepping."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.timeutil import add_months

INTERVAL = re.compile(r"^([1-9]\d*) (day|week|month)s?$")
LONGEST = {"day": 365, "week": 52, "month": 12}  # Mollie allows at most a year between payments


@dataclass(frozen=True)
class Interval:
    """A number of days, weeks or calendar months."""

    count: int
    unit: str

    def after(self, start: date, periods: int) -> date:
        """The date `periods` intervals after `start`; months keep start's day, clamped."""
        if self.unit == "month":
            return add_months(start, self.count * periods)
        days = self.count * periods * (7 if self.unit == "week" else 1)
        return start + timedelta(days=days)

    def __str__(self) -> str:
        """As Mollie writes it back: "1 month", "12 months"."""
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


def parse(text: object) -> Interval:
    """The interval written in `text`; ValueError when Mollie would not accept it."""
    match = INTERVAL.match(text) if isinstance(text, str) else None
    if match is None or int(match[1]) > LONGEST[match[2]]:
        raise ValueError(f"Not an interval Mollie accepts: {text!r}")
    return Interval(int(match[1]), match[2])
