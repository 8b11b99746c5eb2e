"""The keys the portal sends to Mollie keep Mollie's idempotency rules at the sandbox: a retry of
one attempt gets the same payment, another installation its own, other parameters a refusal."""

from decimal import Decimal

import pytest

from shared.payments.mollie import MollieProvider
from shared.payments.provider import PaymentRefused, PaymentRequest
from tests.support.mollie_sandbox import MollieSandbox

SITE = "https://bibliotheek.example.nl"


def request(key: str, amount: str = "58.00") -> PaymentRequest:
    """A payment request for the sandbox under our key."""
    return PaymentRequest(
        amount=Decimal(amount),
        description="Basis",
        redirect_url="https://bibliotheek.example.nl/terug",
        webhook_url="https://bibliotheek.example.nl/webhook",
        idempotency_key=key,
        locale="nl",
    )


def test_the_sandbox_answers_a_retry_with_the_same_payment(mollie_sandbox: MollieSandbox) -> None:
    here = MollieProvider(mollie_sandbox.api_key, mollie_sandbox.url, installation=SITE)
    first = here.create_payment(request("registration-7-1"))
    assert here.create_payment(request("registration-7-1")).id == first.id
    elsewhere = MollieProvider(mollie_sandbox.api_key, mollie_sandbox.url, installation="other")
    assert elsewhere.create_payment(request("registration-7-1")).id != first.id
    with pytest.raises(PaymentRefused):
        here.create_payment(request("registration-7-1", amount="12.00"))
