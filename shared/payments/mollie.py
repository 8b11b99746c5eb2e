"""The Mollie provider, through the official mollie-api-python client."""

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from mollie.api.client import Client
from mollie.api.error import (
    BadRequestError,
    IdentifierError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableEntityError,
)
from mollie.api.error import Error as MollieError
from mollie.api.objects.customer import Customer
from mollie.api.objects.payment import Payment as MolliePayment
from mollie.api.objects.subscription import Subscription as MollieSubscription

from shared.models.mandate import MandateStatus
from shared.models.payment import PaymentStatus, RefundStatus, SequenceType
from shared.money import mollie_amount, to_amount
from shared.payments.idempotency import provider_key
from shared.payments.key_alarm import KeyAlarm
from shared.payments.provider import (
    PaymentProviderError,
    PaymentRefused,
    PaymentRequest,
    ProviderChargeback,
    ProviderMandate,
    ProviderPayment,
    ProviderRefund,
    ProviderSubscription,
    ProviderTerminal,
    ProviderUnauthorized,
    RefundRequest,
    ScheduleStatus,
    SubscriptionRequest,
)

log = logging.getLogger(__name__)
MOLLIE_LOCALES = {"nl": "nl_NL", "en": "en_US"}
PAGE = 250  # Mollie's largest page: a pass of reconciliation mostly reads one
REFUSALS = (BadRequestError, IdentifierError, NotFoundError, UnprocessableEntityError)


class MollieProvider:
    """Payments at Mollie, or at the project's Mollie sandbox when an endpoint is given."""

    def __init__(
        self,
        api_key: str,
        api_endpoint: str | None = None,
        timeout: float = 10,
        installation: str = "",
        alarm: KeyAlarm | None = None,
    ) -> None:
        # Mollie types the timeouts as int, yet hands them to requests, which takes fractions.
        self._client = Client(timeout=(2, timeout), retry=1)  # type: ignore[arg-type]
        self._client.set_api_key(api_key)
        if api_endpoint:
            self._client.set_api_endpoint(api_endpoint)
        self._installation = installation
        self._alarm = alarm

    def _ask(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the client unless the key's alarm holds; a refused key raises the alarm."""
        alarm = self._alarm
        if alarm is None:
            return _call(method, *args, **kwargs)
        trying = alarm.check()
        try:
            answer = _call(method, *args, **kwargs)
        except ProviderUnauthorized as error:
            alarm.raise_alarm(str(error))
            raise
        except PaymentRefused:
            if trying:  # Mollie took the key and refused only the request
                alarm.clear()
            raise
        except PaymentProviderError:
            if trying:
                alarm.tried_without_answer()
            raise
        if trying:
            alarm.clear()
        return answer

    def _key(self, ours: str) -> str:
        """The idempotency key Mollie gets for our stable key of an attempt."""
        return provider_key(self._installation, ours)

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        """Create a payment with our own idempotency key, so a retry never pays twice."""
        data = {
            "amount": mollie_amount(request.amount),
            "description": request.description,
            "redirectUrl": request.redirect_url,
            "webhookUrl": request.webhook_url,
            "method": request.method,
            "locale": MOLLIE_LOCALES.get(request.locale, "nl_NL"),
            "metadata": request.metadata or {},
            "sequenceType": request.sequence_type,
            "customerId": request.customer_id,
            "terminalId": request.terminal_id,
        }
        body = {name: value for name, value in data.items() if value is not None}
        create = self._client.payments.create
        return _payment(self._ask(create, body, idempotency_key=self._key(request.idempotency_key)))

    def get_payment(self, provider_id: str) -> ProviderPayment:
        """The payment as Mollie reports it now."""
        return _payment(self._ask(self._client.payments.get, provider_id))

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        """Cancel a payment while Mollie says it is cancelable."""
        self._ask(
            self._client.payments.delete,
            provider_id,
            idempotency_key=self._key(f"cancel-{provider_id}"),
        )
        return self.get_payment(provider_id)

    def create_customer(self, name: str, email: str, locale: str, idempotency_key: str) -> str:
        """A Mollie customer, to hold the mandate of a direct-debit patron."""
        data = {"name": name, "email": email, "locale": MOLLIE_LOCALES.get(locale, "nl_NL")}
        create = self._client.customers.create
        customer = self._ask(create, data, idempotency_key=self._key(idempotency_key))
        return cast(str, customer.id)

    def get_mandate(self, customer_id: str, mandate_id: str) -> ProviderMandate:
        """One mandate: holder, account and signature date."""
        mandate = self._ask(self._customer(customer_id).mandates.get, mandate_id)
        details = mandate.details or {}
        signed = mandate.signature_date
        return ProviderMandate(
            id=mandate.id,
            status=MandateStatus(mandate.status),
            holder_name=details.get("consumerName") or "",
            iban=details.get("consumerAccount") or "",
            bic=details.get("consumerBic") or "",
            signature_date=date.fromisoformat(signed) if signed else None,
        )

    def revoke_mandate(self, customer_id: str, mandate_id: str) -> None:
        """Revoke a mandate; Mollie cancels the schedules that use it."""
        mandates = self._customer(customer_id).mandates
        self._ask(mandates.delete, mandate_id, idempotency_key=self._key(f"revoke-{mandate_id}"))

    def create_subscription(self, request: SubscriptionRequest) -> ProviderSubscription:
        """A Mollie subscription collecting `amount` every interval from `start_date`."""
        data = {
            "amount": mollie_amount(request.amount),
            "interval": _interval(request.interval_months),
            "startDate": request.start_date.isoformat(),
            "description": request.description,
            "webhookUrl": request.webhook_url,
            "metadata": request.metadata,
        }
        create = self._customer(request.customer_id).subscriptions.create
        return _subscription(
            self._ask(create, data, idempotency_key=self._key(request.idempotency_key))
        )

    def list_subscriptions(self, customer_id: str) -> list[ProviderSubscription]:
        """Every subscription of the customer, all pages."""
        first = self._ask(self._customer(customer_id).subscriptions.list)
        return [_subscription(item) for item in _all_pages(first, self._ask)]

    def cancel_subscription(self, customer_id: str, subscription_id: str) -> None:
        """Cancel a subscription; no later period is collected."""
        subscriptions = self._customer(customer_id).subscriptions
        self._ask(
            subscriptions.delete,
            subscription_id,
            idempotency_key=self._key(f"cancel-{subscription_id}"),
        )

    def get_subscription(self, customer_id: str, subscription_id: str) -> ProviderSubscription:
        """A subscription as Mollie holds it now: Mollie sends no webhook when it ends one."""
        subscriptions = self._customer(customer_id).subscriptions
        return _subscription(self._ask(subscriptions.get, subscription_id))

    def subscription_payments(
        self, customer_id: str, subscription_id: str
    ) -> list[ProviderPayment]:
        """The payments a subscription has made, all pages."""
        subscription = MollieSubscription(
            {"id": subscription_id, "_links": {"customer": {"href": f"/customers/{customer_id}"}}},
            self._client,
        )
        first = self._ask(subscription.payments.list)
        return [_payment(item) for item in _all_pages(first, self._ask)]

    def create_refund(self, request: RefundRequest) -> ProviderRefund:
        """Refund part or all of a payment with our own idempotency key."""
        data = {
            "amount": mollie_amount(request.amount),
            "description": request.description,
            "metadata": request.metadata,
        }
        create = self._payment_object(request.payment_id).refunds.create
        return _refund(self._ask(create, data, idempotency_key=self._key(request.idempotency_key)))

    def list_refunds(self, payment_id: str) -> list[ProviderRefund]:
        """Every refund of the payment, all pages."""
        first = self._ask(self._payment_object(payment_id).refunds.list)
        return [_refund(item) for item in _all_pages(first, self._ask)]

    def get_terminal(self, terminal_id: str) -> ProviderTerminal:
        """A point-of-sale terminal of the profile."""
        terminal = self._ask(self._client.terminals.get, terminal_id)
        return ProviderTerminal(terminal.id, terminal.status, terminal.description or "")

    def recent_refunds(self, since: datetime) -> list[ProviderRefund]:
        """The account's refunds made since `since` (Mollie lists the newest first)."""
        first = self._ask(self._client.refunds.list, limit=PAGE)
        return [_refund(item) for item in _newer_than(first, since, self._ask)]

    def list_chargebacks(self, payment_id: str) -> list[ProviderChargeback]:
        """Every chargeback of the payment, all pages."""
        first = self._ask(self._payment_object(payment_id).chargebacks.list)
        return [_chargeback(item) for item in _all_pages(first, self._ask)]

    def recent_chargebacks(self, since: datetime) -> list[ProviderChargeback]:
        """The account's chargebacks received since `since` (Mollie lists the newest first)."""
        first = self._ask(self._client.chargebacks.list, limit=PAGE)
        return [_chargeback(item) for item in _newer_than(first, since, self._ask)]

    def _customer(self, customer_id: str) -> Customer:
        """A customer handle without fetching it."""
        return Customer({"id": customer_id}, self._client)

    def _payment_object(self, payment_id: str) -> MolliePayment:
        """A payment handle without fetching it."""
        return MolliePayment({"id": payment_id}, self._client)


def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the client: a refusal stays a refusal; every other failure means 'nothing known'."""
    try:
        return method(*args, **kwargs)
    except UnauthorizedError as error:
        raise ProviderUnauthorized(f"{type(error).__name__}: {error}") from error
    except REFUSALS as error:
        field = getattr(error, "field", None)  # an id of the wrong form has none
        raise PaymentRefused(f"{type(error).__name__}: {error}", field) from error
    except (MollieError, KeyError, ValueError) as error:
        raise PaymentProviderError(f"{type(error).__name__}: {error}") from error


def _all_pages(page: Any, ask: Callable[..., Any]) -> Iterator[Any]:
    """Every item of a paginated list, fetching the next pages through `ask`."""
    while True:
        yield from page
        if not page.has_next():
            return
        page = ask(page.get_next)


def _newer_than(page: Any, since: datetime, ask: Callable[..., Any]) -> Iterator[Any]:
    """The items of a newest-first list created since `since`; no page after the first older one."""
    for item in _all_pages(page, ask):
        if _moment(item.created_at) < since:
            return
        yield item


def _moment(stamp: str | None) -> datetime:
    """A Mollie timestamp; a missing one counts as long ago."""
    return datetime.fromisoformat(stamp) if stamp else datetime.min.replace(tzinfo=UTC)


def _interval(months: int) -> str:
    """Mollie's interval wording: "1 month", "12 months"."""
    return "1 month" if months == 1 else f"{months} months"


def _money(amount: dict[str, str] | None) -> Decimal:
    """A Mollie amount object as an exact decimal."""
    return to_amount(amount["value"]) if amount else Decimal("0.00")


def _payment(payment: Any) -> ProviderPayment:
    """Our view of a Mollie payment object."""
    details = payment.details or {}
    due = details.get("dueDate")
    return ProviderPayment(
        id=payment.id,
        status=PaymentStatus(payment.status),
        checkout_url=payment.checkout_url,
        paid_at=datetime.fromisoformat(payment.paid_at) if payment.paid_at else None,
        amount=_money(payment.amount),
        description=payment.description or "",
        sequence_type=SequenceType(payment.sequence_type or SequenceType.ONEOFF),
        customer_id=payment.customer_id,
        mandate_id=payment.mandate_id,
        subscription_id=payment.subscription_id,
        due_date=date.fromisoformat(due) if due else None,
        is_cancelable=bool(payment.is_cancelable),
        created_at=datetime.fromisoformat(payment.created_at) if payment.created_at else None,
        amount_refunded=_money(payment.amount_refunded),
        amount_charged_back=_money(payment.get("amountChargedBack")),
    )


def _subscription(subscription: Any) -> ProviderSubscription:
    """Our view of a Mollie subscription."""
    return ProviderSubscription(
        id=subscription.id,
        status=ScheduleStatus(subscription.status),
        start_date=date.fromisoformat(subscription.start_date),
        metadata=subscription.metadata or {},
    )


def _refund(refund: Any) -> ProviderRefund:
    """Our view of a Mollie refund."""
    return ProviderRefund(
        id=refund.id,
        status=RefundStatus(refund.status),
        amount=_money(refund.amount),
        metadata=refund.metadata or {},
        payment_id=refund.payment_id or "",
        created_at=_moment(refund.created_at),
    )


def _chargeback(chargeback: Any) -> ProviderChargeback:
    """Our view of a Mollie chargeback, its reason as "code description" (given for direct
    debits only); `reversedAt` only once reversed (or null, as Mollie's examples show it)."""
    reason, reversed_at = chargeback.reason or {}, chargeback.reversed_at
    words = " ".join(filter(None, (reason.get("code"), reason.get("description"))))
    return ProviderChargeback(
        id=chargeback.id,
        payment_id=chargeback.payment_id or "",
        amount=_money(chargeback.amount),
        reason=words,
        created_at=_moment(chargeback.created_at),
        reversed_at=datetime.fromisoformat(reversed_at) if reversed_at else None,
    )
