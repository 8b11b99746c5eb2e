"""A subscription's periods, and the part of what was paid for a period that the days still to
come stand for (pro rata by day)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from shared.models.patron import Subscription
from shared.money import CENT
from shared.payments.direct_debit import latest_scheduled_start, period_end

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """One period of a subscription, its first and last day included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it has."""
        return (self.end - self.start).days + 1

    def days_after(self, day: date) -> int:
        """How many of its days come after `day` (all of them when it starts later)."""
        return min(max((self.end - day).days, 0), self.days)


def period_from(subscription: Subscription, start: date) -> Period:
    """The subscription's period that starts on `start`: the first runs to the day before the
    renewals begin (to its end date while none is planned), each renewal one term (the first
    too when it began unpaid, as a renewal: a change's successor paid once)."""
    renewed = (subscription.renewal_start, subscription.end_date + DAY)
    if start != subscription.start_date or start in renewed:
        return Period(start, period_end(subscription, start))
    if subscription.renewal_start is None:
        return Period(start, subscription.end_date)
    return Period(start, subscription.renewal_start - DAY)


def current_period(subscription: Subscription, today: date) -> Period:
    """The period that `today` falls in (the first, until the renewals begin)."""
    renewal = None
    if subscription.renewal_start is not None:
        renewal = latest_scheduled_start(subscription, today)
    return period_from(subscription, renewal or subscription.start_date)


def unused_part(paid: Decimal, period: Period, today: date) -> Decimal:
    """The part of `paid` (for the period) that its days after today stand for, pro rata by
    day, in whole cents rounded down: the library keeps the fraction of a cent. Today counts as
    used, as a subscription cancelled now runs through today."""
    share = paid * period.days_after(today) / period.days
    return share.quantize(CENT, rounding=ROUND_DOWN)
