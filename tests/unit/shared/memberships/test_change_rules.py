"""The rules of changing subscriptions apart from the database: which way a change goes, and
what an upgrade costs for the rest of the period."""

from datetime import date
from decimal import Decimal

from shared.memberships.change_rules import ChangeMoment, moment, price_a_year, upgrade_cost
from shared.memberships.pro_rata import Period
from shared.models.catalogue import SubscriptionType, Validity
from shared.models.patron import PaymentPlan

ONCE, DEBIT = PaymentPlan.ONCE, PaymentPlan.DIRECT_DEBIT


def kind(price: str, months: int) -> SubscriptionType:
    """A subscription type with a price per term of `months`."""
    return SubscriptionType(price=Decimal(price), term_months=months, validity=Validity.EXACT)


BASIS, COMPLEET, MONTHLY = kind("58.00", 12), kind("67.00", 12), kind("5.00", 1)


def test_the_price_a_year_compares_terms_of_any_length() -> None:
    assert price_a_year(MONTHLY) == Decimal("60.00") > price_a_year(BASIS)


def test_only_a_dearer_one_paid_the_same_way_starts_now() -> None:
    assert moment(BASIS, ONCE, COMPLEET, ONCE) == ChangeMoment.NOW
    assert moment(COMPLEET, ONCE, BASIS, ONCE) == ChangeMoment.NEXT_PERIOD
    assert moment(BASIS, ONCE, BASIS, ONCE) == ChangeMoment.NEXT_PERIOD  # the same price
    assert moment(BASIS, ONCE, MONTHLY, DEBIT) == ChangeMoment.NEXT_PERIOD  # another plan
    assert moment(BASIS, DEBIT, MONTHLY, DEBIT) == ChangeMoment.NOW


def test_an_upgrade_costs_the_new_share_minus_the_old_in_whole_cents() -> None:
    period = Period(date(2027, 1, 15), date(2028, 1, 31))  # 382 days
    cost = upgrade_cost(Decimal("58.00"), BASIS, COMPLEET, period, date(2027, 7, 14))
    assert (cost.days, cost.new_share, cost.old_share) == (201, Decimal("35.25"), Decimal("30.51"))
    assert cost.difference == Decimal("4.74")


def test_a_monthly_price_is_scaled_to_the_current_term() -> None:
    period = Period(date(2027, 1, 1), date(2027, 12, 31))  # 365 days, 100 after the day
    cost = upgrade_cost(Decimal("58.00"), BASIS, MONTHLY, period, date(2027, 9, 22))
    assert (cost.new_share, cost.old_share, cost.difference) == (
        Decimal("16.43"),  # € 60.00 a year × 100/365 = 16.438…
        Decimal("15.89"),  # € 58.00 × 100/365 = 15.890…
        Decimal("0.54"),
    )


def test_the_last_day_of_the_period_costs_nothing_more() -> None:
    period = Period(date(2027, 1, 1), date(2027, 12, 31))
    cost = upgrade_cost(Decimal("58.00"), BASIS, COMPLEET, period, period.end)
    assert (cost.days, cost.difference) == (0, Decimal("0.00"))
