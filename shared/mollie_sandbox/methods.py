"""The payment methods the sandbox knows: their currencies, amount limits and expiry times.

Figures from Mollie's documentation (see docs/mollie-sandbox.md); None where it gives none.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from shared.mollie_sandbox.errors import ApiError

CHECKOUT_EXPIRY = timedelta(minutes=15)  # a checkout without a method: the payer picks iDEAL here


@dataclass(frozen=True)
class Method:
    """What Mollie accepts for one method, and how long an open payment with it lives."""

    currencies: frozenset[str] | None  # None: any currency
    minimum: Decimal | None
    maximum: Decimal | None
    expiry: timedelta | None  # None: an open payment never expires on its own


EUR = frozenset({"EUR"})
METHODS = {
    "ideal": Method(EUR, Decimal("0.01"), Decimal("50000.00"), timedelta(minutes=15)),
    "pointofsale": Method(EUR, Decimal("0.01"), Decimal("50000.00"), timedelta(seconds=40)),
    "directdebit": Method(EUR, Decimal("0.01"), Decimal("1000.00"), None),
    "creditcard": Method(None, Decimal("0.00"), Decimal("10000.00"), timedelta(minutes=30)),
    "bancontact": Method(EUR, None, None, timedelta(hours=1)),
    "paypal": Method(None, None, None, timedelta(hours=3)),
    "banktransfer": Method(EUR, None, None, timedelta(days=12)),
    "wero": Method(EUR, None, None, timedelta(minutes=15)),
}


def refuse_unknown(name: str, docs: str) -> None:
    """Mollie's 422 for a method it does not have."""
    if name not in METHODS:
        raise ApiError(422, "The payment method is invalid.", field="method", docs=docs)


def refuse_unaccepted(name: str, amount: dict[str, str], docs: str) -> None:
    """Mollie's 422 for a currency the method does not take or an amount outside its limits."""
    method, value = METHODS[name], Decimal(amount["value"])
    if method.currencies is not None and amount["currency"] not in method.currencies:
        detail = f"The currency {amount['currency']} is not supported by the payment method {name}."
        raise ApiError(422, detail, field="amount.currency", docs=docs)
    if method.minimum is not None and value < method.minimum:
        raise ApiError(422, "The amount is lower than the minimum", field="amount", docs=docs)
    if method.maximum is not None and value > method.maximum:
        raise ApiError(422, "The amount is higher than the maximum", field="amount", docs=docs)


def expiry(name: str | None, sequence_type: str) -> timedelta | None:
    """How long a new open payment lives: per method; a recurring collection does not expire."""
    if sequence_type == "recurring":
        return None
    return METHODS[name].expiry if name else CHECKOUT_EXPIRY
