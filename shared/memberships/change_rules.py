"""The rules of changing to another subscription, apart from the database: which way a change
goes (an upgrade costs more a year) and what an upgrade costs for the rest of the period."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shared.memberships.pro_rata import Period, unused_part
from shared.models.catalogue import SubscriptionType
from shared.models.patron import PaymentPlan

MONTHS_A_YEAR = 12


class ChangeMoment(StrEnum):
    """When a change takes effect."""

    NOW = "now"  # an upgrade: today, the difference charged for the rest of the period
    NEXT_PERIOD = "next_period"  # a downgrade, or another way of paying: the next period


def price_a_year(kind: SubscriptionType) -> Decimal:
    """What a subscription with a term costs over twelve months (a month's price twelve times)."""
    return kind.price * MONTHS_A_YEAR / (kind.term_months or MONTHS_A_YEAR)


def moment(
    current: SubscriptionType, current_plan: PaymentPlan, new: SubscriptionType, plan: PaymentPlan
) -> ChangeMoment:
    """Now for an upgrade (more a year, paid the same way); the next period for the rest: a
    cheaper one, one that costs the same, and any change of how it is paid (direct debit
    needs its mandate first)."""
    if plan == current_plan and price_a_year(new) > price_a_year(current):
        return ChangeMoment.NOW
    return ChangeMoment.NEXT_PERIOD


@dataclass(frozen=True)
class UpgradeCost:
    """An upgrade's cost build-up for the days after today of the current period."""

    period: Period
    days: int  # the period's days after today
    new_share: Decimal  # the new subscription's price for those days
    old_share: Decimal  # what was paid for them with the current one

    @property
    def difference(self) -> Decimal:
        """What the patron pays: the new share minus the old, never below zero."""
        return max(self.new_share - self.old_share, Decimal("0.00"))


def upgrade_cost(
    old_price: Decimal,
    current: SubscriptionType,
    new: SubscriptionType,
    period: Period,
    today: date,
) -> UpgradeCost:
    """Pro rata by day: each subscription's price for a term as long as the current one's,
    shared over the period's days after today (today counts as used), in whole cents."""
    months = current.term_months or MONTHS_A_YEAR
    new_price = new.price * months / (new.term_months or MONTHS_A_YEAR)
    return UpgradeCost(
        period,
        period.days_after(today),
        unused_part(new_price, period, today),
        unused_part(old_price, period, today),
    )
