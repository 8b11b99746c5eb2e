"""The cost build-up of a new membership (seed 002, *Opbouw abonnementskosten*): the first
period's price, a selection code's discount off it, and the registration fee, line by line. The
desk shows it before registering, the signup before paying, and the ledger books each line."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from shared.models.catalogue import Selection, SubscriptionType
from shared.money import to_amount

HUNDRED = Decimal(100)


class CostKind(StrEnum):
    """What a line of the build-up is for."""

    SUBSCRIPTION = "subscription"
    DISCOUNT = "discount"
    REGISTRATION_FEE = "registration_fee"


@dataclass(frozen=True)
class CostLine:
    """One line: what it is for and its amount (a discount's is below nothing)."""

    kind: CostKind
    amount: Decimal


@dataclass(frozen=True)
class Costs:
    """The build-up of one subscription with an optional selection code."""

    subscription: SubscriptionType
    selection: Selection | None
    lines: tuple[CostLine, ...]

    @property
    def total(self) -> Decimal:
        """What the patron owes for it all (*saldo*)."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def discount(self) -> Decimal:
        """How much the selection code takes off the first period (nothing or more)."""
        discounts = (-line.amount for line in self.lines if line.kind == CostKind.DISCOUNT)
        return sum(discounts, Decimal("0.00"))

    @property
    def is_more_than_the_price(self) -> bool:
        """Whether it has lines besides the subscription's price (a discount, a fee)."""
        return len(self.lines) > 1


def cost_build_up(subscription: SubscriptionType, selection: Selection | None) -> Costs:
    """The lines of registering with the subscription: its price, the discount (if the
    selection gives one) and the registration fee (if there is one)."""
    price = to_amount(subscription.price)
    lines = [CostLine(CostKind.SUBSCRIPTION, price)]
    discount = discount_off(price, selection)
    if discount > 0:
        lines.append(CostLine(CostKind.DISCOUNT, -discount))
    if subscription.registration_fee > 0:
        lines.append(CostLine(CostKind.REGISTRATION_FEE, to_amount(subscription.registration_fee)))
    return Costs(subscription, selection, tuple(lines))


def discount_off(price: Decimal, selection: Selection | None) -> Decimal:
    """What a selection code takes off a price: its amount or percentage, at most the price."""
    if selection is None:
        return Decimal("0.00")
    if selection.discount_percent is not None:
        return to_amount(price * selection.discount_percent / HUNDRED)
    return to_amount(min(selection.discount_amount or 0, price))
