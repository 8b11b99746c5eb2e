"""The cost build-up of a new membership: the price, a selection code's discount off the first
period, and the registration fee, line by line with their total."""

from decimal import Decimal

import pytest

from shared.catalogue.costs import CostKind, CostLine, cost_build_up
from shared.models.catalogue import Selection, SubscriptionType


def kind(price: str = "58.00", fee: str = "0.00") -> SubscriptionType:
    """A subscription of this price and registration fee."""
    return SubscriptionType(
        code="0045", names={"nl": "Basis"}, price=Decimal(price), registration_fee=Decimal(fee)
    )


def selection(amount: str | None = None, percent: str | None = None) -> Selection:
    """A selection code with this discount."""
    return Selection(
        code="actie",
        names={"nl": "Actie"},
        discount_amount=amount and Decimal(amount),
        discount_percent=percent and Decimal(percent),
    )


def test_a_subscription_alone_is_one_line_of_its_price() -> None:
    costs = cost_build_up(kind(), None)
    assert costs.lines == (CostLine(CostKind.SUBSCRIPTION, Decimal("58.00")),)
    assert costs.total == Decimal("58.00") and not costs.is_more_than_the_price


def test_a_selection_without_a_discount_adds_no_line() -> None:
    costs = cost_build_up(kind(), selection())
    assert len(costs.lines) == 1 and str(costs.discount) == "0.00"  # never -0


def test_a_discount_and_a_fee_are_lines_of_their_own() -> None:
    costs = cost_build_up(kind(fee="2.50"), selection(amount="10.00"))
    assert costs.lines == (
        CostLine(CostKind.SUBSCRIPTION, Decimal("58.00")),
        CostLine(CostKind.DISCOUNT, Decimal("-10.00")),
        CostLine(CostKind.REGISTRATION_FEE, Decimal("2.50")),
    )
    assert costs.total == Decimal("50.50") and costs.discount == Decimal("10.00")
    assert costs.is_more_than_the_price


@pytest.mark.parametrize(
    ("price", "percent", "discount"),
    [("67.00", "25", "16.75"), ("58.00", "12.5", "7.25"), ("11.50", "33", "3.80")],
)
def test_a_percentage_is_taken_off_to_the_cent(price: str, percent: str, discount: str) -> None:
    costs = cost_build_up(kind(price), selection(percent=percent))
    assert costs.discount == Decimal(discount)
    assert costs.total == Decimal(price) - Decimal(discount)


def test_a_discount_takes_at_most_the_price_and_never_the_fee() -> None:
    costs = cost_build_up(kind("5.00", fee="2.50"), selection(amount="10.00"))
    assert costs.discount == Decimal("5.00") and costs.total == Decimal("2.50")


def test_a_free_subscription_gets_no_discount_line() -> None:
    costs = cost_build_up(kind("0.00"), selection(percent="100"))
    assert costs.lines == (CostLine(CostKind.SUBSCRIPTION, Decimal("0.00")),)
