"""Refunds on the sandbox, through the real mollie-api-python client."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError, UnprocessableEntityError
from mollie.api.objects.payment import Payment

if TYPE_CHECKING:  # imported for real by pytest as a plugin, which must come first
    from tests.support.mollie_sandbox import MollieSandbox, WebhookReceiver

FORM = "application/x-www-form-urlencoded"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
# The keys of mollie-fixtures/refunds_list.json's refund, plus metadata.
REFUND_KEYS = {"resource", "id", "amount", "status", "createdAt", "description", "metadata",
               "paymentId", "_links"}  # fmt: skip


def euros(value: str) -> dict[str, str]:
    """A Mollie amount object in euros."""
    return {"currency": "EUR", "value": value}


def payment_data(webhook_url: str | None = None) -> dict:
    """A create-payment body for an iDEAL payment of EUR 10.00."""
    data = {
        "amount": euros("10.00"),
        "description": "Jaarabonnement",
        "redirectUrl": "https://bibliotheek.example/terug",
        "method": "ideal",
    }
    if webhook_url:
        data["webhookUrl"] = webhook_url
    return data


@pytest.fixture
def paid(mollie_sandbox: MollieSandbox, mollie_client: Client) -> Payment:
    """A paid payment of EUR 10.00 without a webhook."""
    payment = mollie_client.payments.create(payment_data())
    mollie_sandbox.set_status(payment.id, "paid", webhook=False)
    return mollie_client.payments.get(payment.id)


def test_refund_has_mollies_shape(mollie_sandbox: MollieSandbox, paid: Payment) -> None:
    refund = paid.refunds.create(
        {"amount": euros("4.00"), "description": "Teveel betaald", "metadata": {"ledger": "12"}}
    )

    assert re.fullmatch(r"re_[A-Za-z0-9]{10}", refund.id) and set(refund) == REFUND_KEYS
    assert refund.resource == "refund" and refund.is_pending()
    assert refund.amount == euros("4.00") and refund.payment_id == paid.id
    assert refund.description == "Teveel betaald" and refund.metadata == {"ledger": "12"}
    assert TIMESTAMP.match(refund.created_at)
    payment_url = f"{mollie_sandbox.url}/v2/payments/{paid.id}"
    links = refund["_links"]
    assert links["self"]["href"] == f"{payment_url}/refunds/{refund.id}"
    assert links["payment"]["href"] == payment_url and links["documentation"]["href"]
    assert refund.get_payment().id == paid.id


def test_a_paid_payment_shows_what_is_left_to_refund(
    mollie_sandbox: MollieSandbox, mollie_client: Client, paid: Payment
) -> None:
    assert paid.amount_refunded == euros("0.00") and paid.amount_remaining == euros("10.00")
    assert paid.can_be_refunded() and not paid.has_refunds()

    paid.refunds.create({"amount": euros("4.00")})
    after = mollie_client.payments.get(paid.id)

    assert after.amount_refunded == euros("4.00") and after.amount_remaining == euros("6.00")
    assert after.has_refunds()
    assert after["_links"]["refunds"]["href"] == (
        f"{mollie_sandbox.url}/v2/payments/{paid.id}/refunds"
    )


def test_an_unpaid_payment_shows_no_refund_amounts_and_refuses_refunds(
    mollie_client: Client,
) -> None:
    payment = mollie_client.payments.create(payment_data())

    with pytest.raises(UnprocessableEntityError):
        payment.refunds.create({"amount": euros("1.00")})

    assert payment.amount_remaining is None and not payment.can_be_refunded()


def test_refund_create_replays_for_the_same_key(mollie_client: Client, paid: Payment) -> None:
    first = paid.refunds.create({"amount": euros("4.00")}, idempotency_key="refund-42")
    again = paid.refunds.create({"amount": euros("4.00")}, idempotency_key="refund-42")

    assert again.id == first.id and len(paid.refunds.list()) == 1
    assert mollie_client.payments.get(paid.id).amount_remaining == euros("6.00")


def test_more_than_is_left_is_refused(mollie_client: Client, paid: Payment) -> None:
    paid.refunds.create({"amount": euros("6.00")})

    with pytest.raises(UnprocessableEntityError) as raised:
        paid.refunds.create({"amount": euros("4.01")})
    rest = paid.refunds.create({"amount": euros("4.00")})

    assert raised.value.field == "amount" and rest.is_pending()
    assert mollie_client.payments.get(paid.id).amount_remaining == euros("0.00")


@pytest.mark.parametrize("amount", [None, euros("0.00"), {"currency": "USD", "value": "1.00"}])
def test_refund_amount_is_checked(paid: Payment, amount: object) -> None:
    with pytest.raises(UnprocessableEntityError) as raised:
        paid.refunds.create({"amount": amount})

    assert raised.value.field.startswith("amount")


def test_failed_and_canceled_refunds_give_the_amount_back(
    mollie_sandbox: MollieSandbox, mollie_client: Client, paid: Payment
) -> None:
    failing = paid.refunds.create({"amount": euros("10.00")})
    mollie_sandbox.set_refund_status(failing.id, "failed", webhook=False)
    canceling = paid.refunds.create({"amount": euros("10.00")})

    answer = paid.refunds.delete(canceling.id)

    assert answer == {} and paid.refunds.get(canceling.id).status == "canceled"
    assert mollie_client.payments.get(paid.id).amount_remaining == euros("10.00")
    assert [r.status for r in paid.refunds.list()] == ["canceled", "failed"]


def test_a_refund_is_cancelable_only_while_pending(
    mollie_sandbox: MollieSandbox, paid: Payment
) -> None:
    refund = paid.refunds.create({"amount": euros("1.00")})
    mollie_sandbox.set_refund_status(refund.id, "processing", webhook=False)

    with pytest.raises(UnprocessableEntityError):
        paid.refunds.delete(refund.id)

    assert paid.refunds.get(refund.id).is_processing()


def test_refund_changes_post_the_payments_webhook(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = mollie_client.payments.create(payment_data(f"{webhook_receiver.url}/betaald"))
    mollie_sandbox.set_status(payment.id, "paid", webhook=False)
    refund = payment.refunds.create({"amount": euros("2.50")})

    processing = mollie_sandbox.set_refund_status(refund.id, "processing")
    quietly = mollie_sandbox.set_refund_status(refund.id, "refunded", webhook=False)

    assert processing["status"] == "processing" and quietly["status"] == "refunded"
    assert webhook_receiver.calls == [
        {"path": "/betaald", "form": {"id": payment.id}, "mimetype": FORM}
    ]
    assert payment.refunds.get(refund.id).is_refunded()


@pytest.mark.parametrize("final", ["refunded", "failed", "canceled"])
def test_a_final_refund_never_changes(
    mollie_sandbox: MollieSandbox, paid: Payment, final: str
) -> None:
    refund = paid.refunds.create({"amount": euros("1.00")})
    mollie_sandbox.set_refund_status(refund.id, final, webhook=False)

    answer = requests.post(
        f"{mollie_sandbox.url}/_sandbox/refunds/{refund.id}/status",
        json={"status": "processing"},
        timeout=5,
    )

    assert answer.status_code == 422 and answer.json()["field"] == "status"
    assert paid.refunds.get(refund.id).status == final


def test_lists_per_payment_and_for_the_account(
    mollie_sandbox: MollieSandbox, mollie_client: Client, paid: Payment
) -> None:
    other = mollie_client.payments.create(payment_data())
    mollie_sandbox.set_status(other.id, "paid", webhook=False)
    first = paid.refunds.create({"amount": euros("1.00")})
    second = paid.refunds.create({"amount": euros("2.00")})
    elsewhere = other.refunds.create({"amount": euros("3.00")})

    mine = paid.refunds.list()
    everyone = mollie_client.refunds.list()

    assert [r.id for r in mine] == [second.id, first.id]
    assert [r.id for r in everyone] == [elsewhere.id, second.id, first.id]
    assert everyone["_links"]["self"]["href"] == f"{mollie_sandbox.url}/v2/refunds?limit=50"


def test_a_refund_is_found_only_under_its_own_payment(
    mollie_sandbox: MollieSandbox, mollie_client: Client, paid: Payment
) -> None:
    refund = paid.refunds.create({"amount": euros("1.00")})
    other = mollie_client.payments.create(payment_data())

    with pytest.raises(NotFoundError):
        other.refunds.get(refund.id)
    with pytest.raises(NotFoundError):
        paid.refunds.get("re_doesnotexist")

    assert paid.refunds.get(refund.id).id == refund.id
