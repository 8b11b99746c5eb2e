"""The Mollie provider, through the official mollie-api-python client."""

import logging
from datetime import datetime
from typing import Any

from mollie.api.client import Client
from mollie.api.error import Error as MollieError

from shared.money import mollie_amount
from shared.payments.provider import PaymentProviderError, PaymentRequest, ProviderPayment

log = logging.getLogger(__name__)
MOLLIE_LOCALES = {"nl": "nl_NL", "en": "en_US"}


class MollieProvider:
    """Payments at Mollie, or at the project's Mollie sandbox when an endpoint is given."""

    def __init__(self, api_key: str, api_endpoint: str | None = None, timeout: int = 10) -> None:
        self._client = Client(timeout=(2, timeout), retry=1)
        self._client.set_api_key(api_key)
        if api_endpoint:
            self._client.set_api_endpoint(api_endpoint)

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
        }
        payment = self._call(
            self._client.payments.create, data, idempotency_key=request.idempotency_key
        )
        return _to_provider_payment(payment)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        """The payment as Mollie reports it now."""
        return _to_provider_payment(self._call(self._client.payments.get, provider_id))

    @staticmethod
    def _call(method: Any, *args: Any, **kwargs: Any) -> Any:
        """Call the client, turning every failure into one error callers can handle."""
        try:
            return method(*args, **kwargs)
        except (MollieError, KeyError, ValueError) as error:
            raise PaymentProviderError(f"{type(error).__name__}: {error}") from error


def _to_provider_payment(payment: Any) -> ProviderPayment:
    """Our view of a Mollie payment object."""
    paid_at = datetime.fromisoformat(payment.paid_at) if payment.paid_at else None
    return ProviderPayment(payment.id, payment.status, payment.checkout_url, paid_at)
