"""What Mollie does after the fact, produced through the sandbox's controls and read through the
real client: chargebacks (also a late SEPA failure), schedules and mandates ended by Mollie."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError
from mollie.api.objects.payment import Payment

from tests.integration.test_mollie_sandbox_recurring import customer_with_mandate, subscription_data
from tests.support.mollie_sandbox import MollieSandbox, running_sandbox

if TYPE_CHECKING:
    from tests.support.mollie_sandbox import WebhookReceiver

# The fields of Mollie's chargeback object (docs: get-payment-chargeback), reversedAt left out.
CHARGEBACK_KEYS = {"resource", "id", "amount", "settlementAmount", "createdAt", "reason",
                   "paymentId", "_links"}  # fmt: skip
LATE_FAILURE = {"code": "AM04", "description": "Insufficient funds"}


def paid_ideal(sandbox: MollieSandbox, client: Client, webhook_url: str) -> Payment:
    """A paid iDEAL payment of EUR 10.00 that posts its webhooks to `webhook_url`."""
    payment = client.payments.create(
        {
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Abonnement",
            "redirectUrl": "https://bibliotheek.example/terug",
            "method": "ideal",
            "webhookUrl": webhook_url,
        }
    )
    sandbox.set_status(payment.id, "paid", webhook=False)
    return client.payments.get(payment.id)


def refusal(response: requests.Response) -> tuple[int, str | None]:
    """The status and `field` of a control's refusal."""
    return response.status_code, response.json().get("field")


def test_a_whole_chargeback_shows_on_the_payment_and_calls_its_webhook(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    paid = paid_ideal(mollie_sandbox, mollie_client, webhook_receiver.url)
    assert not paid.has_chargebacks() and paid.amount_chargedback is None

    answer = mollie_sandbox.charge_back(paid.id)
    payment = mollie_client.payments.get(paid.id)
    [chargeback] = payment.chargebacks.list()

    assert set(answer) == CHARGEBACK_KEYS - {"reason"} and re.fullmatch(r"chb_\w{10}", answer["id"])
    assert webhook_receiver.payment_ids == [paid.id]
    assert payment.is_paid() and payment.has_chargebacks()
    assert payment.amount_chargedback == {"currency": "EUR", "value": "10.00"}
    assert chargeback.id == answer["id"] and chargeback.payment_id == paid.id
    assert chargeback.amount == {"currency": "EUR", "value": "10.00"}
    assert chargeback.settlement_amount == {"currency": "EUR", "value": "-10.00"}
    assert chargeback.created_at == answer["createdAt"] and chargeback.reason is None
    assert payment.chargebacks.get(chargeback.id).amount == chargeback.amount
    assert chargeback.get_payment().id == paid.id


def test_partial_chargebacks_add_up_to_the_payment_and_no_further(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    paid = paid_ideal(mollie_sandbox, mollie_client, webhook_receiver.url)
    control = f"{mollie_sandbox.url}/_sandbox/payments/{paid.id}/chargeback"

    mollie_sandbox.charge_back(paid.id, "4.00")
    mollie_sandbox.charge_back(paid.id, "5.00", webhook=False)
    too_much = requests.post(control, json={"amount": "1.01"}, timeout=5)
    rest = mollie_sandbox.charge_back(paid.id)
    nothing_left = requests.post(control, json={}, timeout=5)

    payment = mollie_client.payments.get(paid.id)
    amounts = sorted(c.amount["value"] for c in payment.chargebacks.list())
    assert amounts == ["1.00", "4.00", "5.00"] and rest["amount"]["value"] == "1.00"
    assert payment.amount_chargedback == {"currency": "EUR", "value": "10.00"}
    assert refusal(too_much) == (422, "amount") and refusal(nothing_left) == (422, "amount")
    assert webhook_receiver.payment_ids == [paid.id, paid.id]
    assert [c.id for c in mollie_client.chargebacks.list()] == [
        c.id for c in payment.chargebacks.list()
    ]


def test_a_reversed_chargeback_shows_when_and_can_be_refunded_again(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    paid = paid_ideal(mollie_sandbox, mollie_client, webhook_receiver.url)
    taken = mollie_sandbox.charge_back(paid.id, "4.00", webhook=False)
    standing = mollie_sandbox.charge_back(paid.id, "1.00", webhook=False)
    before = mollie_client.payments.get(paid.id)
    mollie_sandbox.advance_clock(3600)

    answer = mollie_sandbox.reverse_chargeback(paid.id, taken["id"])
    payment = mollie_client.payments.get(paid.id)
    reversed_one = payment.chargebacks.get(taken["id"])
    listed = {c.id: c.reversed_at for c in mollie_client.chargebacks.list()}

    moments = [datetime.fromisoformat(answer[key]) for key in ("createdAt", "reversedAt")]
    assert answer["reversedAt"] == reversed_one.reversed_at
    assert moments[1] - moments[0] >= timedelta(hours=1)  # by the sandbox's clock
    assert listed == {taken["id"]: answer["reversedAt"], standing["id"]: None}
    assert "reversedAt" not in standing
    assert before.amount_remaining == {"currency": "EUR", "value": "5.00"}
    assert payment.amount_remaining == {"currency": "EUR", "value": "9.00"}
    assert payment.amount_chargedback == {"currency": "EUR", "value": "5.00"}
    assert webhook_receiver.payment_ids == [paid.id]


def test_a_chargeback_is_reversed_once_and_only_its_own_payments(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    paid = paid_ideal(mollie_sandbox, mollie_client, webhook_receiver.url)
    other = paid_ideal(mollie_sandbox, mollie_client, webhook_receiver.url)
    taken = mollie_sandbox.charge_back(paid.id, webhook=False)
    control = f"{mollie_sandbox.url}/_sandbox/payments/{{}}/chargebacks/{taken['id']}/reverse"

    elsewhere = requests.post(control.format(other.id), json={}, timeout=5)
    mollie_sandbox.reverse_chargeback(paid.id, taken["id"], webhook=False)
    again = requests.post(control.format(paid.id), json={}, timeout=5)
    again_taken = mollie_sandbox.charge_back(paid.id, webhook=False)

    assert elsewhere.status_code == 404 and refusal(again) == (422, "reversedAt")
    assert again_taken["amount"]["value"] == "10.00"
    assert webhook_receiver.calls == []


def test_only_a_paid_payment_can_be_charged_back(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    payment = mollie_client.payments.create(
        {
            "amount": {"currency": "EUR", "value": "1.00"},
            "description": "x",
            "redirectUrl": "https://bibliotheek.example/terug",
        }  # fmt: skip
    )
    control = f"{mollie_sandbox.url}/_sandbox/payments/{payment.id}/chargeback"

    open_answer = requests.post(control, json={}, timeout=5)
    bad_amount = requests.post(control, json={"amount": 1}, timeout=5)

    assert refusal(open_answer) == (422, "status") and refusal(bad_amount) == (422, "amount")
    with pytest.raises(NotFoundError):
        payment.chargebacks.get("chb_doesnotexist")


def test_a_late_sepa_failure_is_a_chargeback_with_the_banks_reason(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    customer, _ = customer_with_mandate(mollie_sandbox, mollie_client)
    subscription = customer.subscriptions.create(subscription_data(webhook_receiver.url))
    collected = mollie_sandbox.charge(subscription.id, "paid")
    control = f"{mollie_sandbox.url}/_sandbox/payments/{collected['id']}/status"

    to_failed = requests.post(control, json={"status": "failed"}, timeout=5)
    mollie_sandbox.charge_back(collected["id"], reason=LATE_FAILURE)
    payment = mollie_client.payments.get(collected["id"])
    [chargeback] = payment.chargebacks.list()

    assert refusal(to_failed) == (422, "status") and payment.is_paid()
    assert chargeback.reason == LATE_FAILURE
    assert payment.amount_chargedback == {"currency": "EUR", "value": "5.00"}
    assert webhook_receiver.payment_ids == [collected["id"], collected["id"]]


def test_chargebacks_survive_a_restart(tmp_path: Path) -> None:
    settings = {"MOLLIE_SANDBOX_STATE": str(tmp_path / "sandbox.json")}
    with running_sandbox(settings) as sandbox:
        paid = paid_ideal(sandbox, sandbox.client(), "http://127.0.0.1:9/webhook")
        chargeback = sandbox.charge_back(paid.id, "2.50", webhook=False)
        reversal = sandbox.reverse_chargeback(paid.id, chargeback["id"], webhook=False)

    with running_sandbox(settings) as restarted:
        payment = restarted.client().payments.get(paid.id)

        assert payment.chargebacks.get(chargeback["id"]).amount["value"] == "2.50"
        assert payment.chargebacks.get(chargeback["id"]).reversed_at == reversal["reversedAt"]
        assert payment.amount_chargedback == {"currency": "EUR", "value": "2.50"}


@pytest.mark.parametrize("status", ["suspended", "canceled"])
def test_a_schedule_ended_at_mollie_shows_only_when_fetched(
    mollie_sandbox: MollieSandbox,
    mollie_client: Client,
    webhook_receiver: WebhookReceiver,
    status: str,
) -> None:
    customer, _ = customer_with_mandate(mollie_sandbox, mollie_client)
    subscription = customer.subscriptions.create(subscription_data(webhook_receiver.url))
    control = f"{mollie_sandbox.url}/_sandbox/subscriptions/{subscription.id}"

    answer = mollie_sandbox.end_subscription(subscription.id, status)
    again = requests.post(f"{control}/status", json={"status": status}, timeout=5)
    charge = requests.post(f"{control}/charge", json={"status": "paid"}, timeout=5)
    fetched = customer.subscriptions.get(subscription.id)

    assert answer["status"] == fetched.status == status and "nextPaymentDate" not in fetched
    assert ("canceledAt" in fetched) is (status == "canceled")
    assert refusal(again) == (422, "status") and charge.status_code == 422
    assert webhook_receiver.calls == []


def test_a_schedule_cannot_be_ended_in_other_ways(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer, _ = customer_with_mandate(mollie_sandbox, mollie_client)
    subscription = customer.subscriptions.create(subscription_data())
    control = f"{mollie_sandbox.url}/_sandbox/subscriptions/{subscription.id}/status"

    completed = requests.post(control, json={"status": "completed"}, timeout=5)

    assert refusal(completed) == (422, "status")
    assert customer.subscriptions.get(subscription.id).is_active()


def test_a_mandate_made_invalid_by_the_bank_suspends_its_schedules(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    customer, mandate_id = customer_with_mandate(mollie_sandbox, mollie_client)
    subscription = customer.subscriptions.create(subscription_data(webhook_receiver.url))
    control = f"{mollie_sandbox.url}/_sandbox/mandates/{mandate_id}/status"

    answer = mollie_sandbox.invalidate_mandate(mandate_id)
    again = requests.post(control, json={"status": "invalid"}, timeout=5)
    valid = requests.post(control, json={"status": "valid"}, timeout=5)

    assert answer["status"] == "invalid" and customer.mandates.get(mandate_id).is_invalid()
    assert customer.subscriptions.get(subscription.id).is_suspended()
    assert refusal(again) == (422, "status") and refusal(valid) == (422, "status")
    assert webhook_receiver.calls == []
