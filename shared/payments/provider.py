"""The payment provider interface that services use, whatever provider is behind it."""

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from shared.models.mandate import MandateStatus
from shared.models.payment import PaymentMethod, PaymentStatus, RefundStatus, SequenceType


class PaymentProviderError(Exception):
    """The provider could not be reached or gave an unusable answer; nothing is known."""

    def about(self, subject: str) -> "PaymentProviderError":
        """The same error (of its kind, with its details), its message naming its subject."""
        named = copy.copy(self)
        named.args = (f"{subject}: {self}",)
        return named


class PaymentRefused(PaymentProviderError):
    """The provider answered and said no (4xx): retrying the same request will not help.
    `field` names what it refused (Mollie's `field`: method, amount, terminalId ...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def reason(self) -> str:
        """Why, as the portal tells it: a method the profile does not take, an amount or
        currency it does not accept, a terminal it does not know, or else refused."""
        field = (self.field or "").split(".")[0]
        return REFUSED_FIELDS.get(field, "payment_refused")


REFUSED_FIELDS = {
    "method": "method_not_enabled",
    "amount": "amount_not_accepted",
    "terminalId": "terminal_unknown",
}


class ProviderUnauthorized(PaymentProviderError):
    """The provider refuses our API key (401): nothing works until staff fix the key, so
    payments stop (and are not retried) until then."""


class ScheduleStatus(StrEnum):
    """Mollie's statuses of a direct-debit schedule (a Mollie *subscription*)."""

    PENDING = "pending"
    ACTIVE = "active"
    CANCELED = "canceled"
    SUSPENDED = "suspended"
    COMPLETED = "completed"

    @property
    def running(self) -> bool:
        """Whether the schedule still collects (or will): not ended by anyone."""
        return self in (ScheduleStatus.PENDING, ScheduleStatus.ACTIVE)


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider says about one payment."""

    id: str
    status: PaymentStatus
    checkout_url: str | None
    paid_at: datetime | None
    amount: Decimal = Decimal("0.00")
    description: str = ""
    sequence_type: SequenceType = SequenceType.ONEOFF
    customer_id: str | None = None
    mandate_id: str | None = None
    subscription_id: str | None = None
    due_date: date | None = None
    is_cancelable: bool = False
    created_at: datetime | None = None
    amount_refunded: Decimal = Decimal("0.00")
    amount_charged_back: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class PaymentRequest:
    """What we ask the provider to collect."""

    amount: Decimal
    description: str
    redirect_url: str | None
    webhook_url: str
    idempotency_key: str
    locale: str
    method: PaymentMethod = PaymentMethod.IDEAL
    metadata: dict[str, str] | None = None
    sequence_type: SequenceType = SequenceType.ONEOFF
    customer_id: str | None = None
    terminal_id: str | None = None


@dataclass(frozen=True)
class ProviderMandate:
    """A direct-debit mandate as the provider holds it."""

    id: str
    status: MandateStatus
    holder_name: str
    iban: str
    bic: str
    signature_date: date | None


@dataclass(frozen=True)
class SubscriptionRequest:
    """A schedule of direct debits on a customer's mandate."""

    customer_id: str
    amount: Decimal
    interval_months: int
    start_date: date
    description: str
    webhook_url: str
    idempotency_key: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderSubscription:
    """A provider-side direct-debit schedule."""

    id: str
    status: ScheduleStatus
    start_date: date
    metadata: dict[str, str]


@dataclass(frozen=True)
class ProviderTerminal:
    """A point-of-sale terminal as the provider knows it (status pending, active, inactive)."""

    id: str
    status: str
    description: str


@dataclass(frozen=True)
class RefundRequest:
    """Money to give back from a paid payment."""

    payment_id: str
    amount: Decimal
    description: str
    idempotency_key: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider reports it."""

    id: str
    status: RefundStatus
    amount: Decimal
    metadata: dict[str, str]
    payment_id: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class ProviderChargeback:
    """Money the payer's bank took back from a paid payment (also a late direct-debit failure);
    `reversed_at` once the bank gave it back after all."""

    id: str
    payment_id: str
    amount: Decimal
    reason: str
    created_at: datetime | None
    reversed_at: datetime | None = None


class PaymentProvider(Protocol):
    """Creates payments, mandates' schedules and refunds, and reports their status."""

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        """Create a payment, once per idempotency key."""
        ...

    def get_payment(self, provider_id: str) -> ProviderPayment:
        """The payment's current status as the provider knows it."""
        ...

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        """Cancel a payment that is still cancelable."""
        ...

    def create_customer(self, name: str, email: str, locale: str, idempotency_key: str) -> str:
        """A provider customer to hold mandates; returns its id."""
        ...

    def get_mandate(self, customer_id: str, mandate_id: str) -> ProviderMandate:
        """One mandate of a customer."""
        ...

    def revoke_mandate(self, customer_id: str, mandate_id: str) -> None:
        """Withdraw a mandate; the provider stops its schedules."""
        ...

    def create_subscription(self, request: SubscriptionRequest) -> ProviderSubscription:
        """Start a direct-debit schedule, once per idempotency key."""
        ...

    def list_subscriptions(self, customer_id: str) -> list[ProviderSubscription]:
        """Every schedule of a customer."""
        ...

    def cancel_subscription(self, customer_id: str, subscription_id: str) -> None:
        """Stop a schedule."""
        ...

    def get_subscription(self, customer_id: str, subscription_id: str) -> ProviderSubscription:
        """One schedule as the provider holds it now (its status)."""
        ...

    def subscription_payments(
        self, customer_id: str, subscription_id: str
    ) -> list[ProviderPayment]:
        """The payments a schedule has made so far."""
        ...

    def create_refund(self, request: RefundRequest) -> ProviderRefund:
        """Refund part or all of a paid payment, once per idempotency key."""
        ...

    def list_refunds(self, payment_id: str) -> list[ProviderRefund]:
        """Every refund of a payment."""
        ...

    def recent_refunds(self, since: datetime) -> list[ProviderRefund]:
        """Every refund of the account made since `since`, newest first."""
        ...

    def list_chargebacks(self, payment_id: str) -> list[ProviderChargeback]:
        """Every chargeback of a payment."""
        ...

    def recent_chargebacks(self, since: datetime) -> list[ProviderChargeback]:
        """Every chargeback of the account received since `since`, newest first."""
        ...

    def get_terminal(self, terminal_id: str) -> ProviderTerminal:
        """A point-of-sale terminal of the profile."""
        ...
