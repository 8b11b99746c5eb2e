"""The payment provider interface that services use, whatever provider is behind it."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class PaymentProviderError(Exception):
    """The provider could not be reached or gave an unusable answer; nothing is known."""


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider says about one payment."""

    id: str
    status: str
    checkout_url: str | None
    paid_at: datetime | None


@dataclass(frozen=True)
class PaymentRequest:
    """What we ask the provider to collect."""

    amount: Decimal
    description: str
    redirect_url: str
    webhook_url: str
    idempotency_key: str
    locale: str
    method: str = "ideal"
    metadata: dict[str, str] | None = None


class PaymentProvider(Protocol):
    """Creates payments and reports their status."""

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        """Create a payment, once per idempotency key."""
        ...

    def get_payment(self, provider_id: str) -> ProviderPayment:
        """The payment's current status as the provider knows it."""
        ...
