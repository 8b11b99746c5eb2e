"""Point-of-sale terminals and their payments on the sandbox, through the real Mollie client."""

from __future__ import annotations

import json
import re

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError, UnprocessableEntityError

from tests.support.mollie_sandbox import (
    MollieSandbox,
    WebhookReceiver,
    running_sandbox,
)

KIOSK = "term_sandboxKiosk1"
# The keys of mollie-fixtures/terminal_single.json.
TERMINAL_KEYS = {"resource", "id", "status", "brand", "model", "serialNumber", "currency",
                 "description", "profileId", "createdAt", "_links"}  # fmt: skip


def pos_data(terminal_id: str | None = KIOSK, webhook_url: str | None = None) -> dict:
    """A create-payment body for EUR 2.50 at a point-of-sale terminal."""
    data = {
        "amount": {"currency": "EUR", "value": "2.50"},
        "description": "Vervangende pas",
        "method": "pointofsale",
        "terminalId": terminal_id,
        "webhookUrl": webhook_url,
    }
    return {name: value for name, value in data.items() if value is not None}


def test_preset_terminals_have_mollies_shape(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    terminals = mollie_client.terminals.list()

    assert [t.id for t in terminals] == [KIOSK, "term_sandboxKiosk2", "term_sandboxInactive"]
    assert [t.status for t in terminals] == ["active", "active", "inactive"]
    first = terminals[0]
    assert set(first) == TERMINAL_KEYS and first["resource"] == "terminal"
    assert first.description == "Kiosk terminal 1" and first.currency == "EUR"
    assert first.brand and first.model and first.serial_number
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", first.created_at)
    assert first.profile_id == mollie_client.payments.create(pos_data()).profile_id
    assert first["_links"]["self"]["href"] == f"{mollie_sandbox.url}/v2/terminals/{KIOSK}"
    assert mollie_client.terminals.get("term_sandboxKiosk2").description == "Kiosk terminal 2"


def test_an_unknown_terminal_is_not_found(mollie_client: Client) -> None:
    with pytest.raises(NotFoundError):
        mollie_client.terminals.get("term_doesnotexist")


@pytest.mark.parametrize("terminal_id", [None, "term_doesnotexist", "term_sandboxInactive"])
def test_a_terminal_payment_needs_a_known_active_terminal(
    mollie_client: Client, terminal_id: str | None
) -> None:
    with pytest.raises(UnprocessableEntityError) as raised:
        mollie_client.payments.create(pos_data(terminal_id))

    assert raised.value.field == "terminalId"


def test_terminals_come_from_the_setting() -> None:
    setting = [{"id": "term_branchDesk", "description": "Balie Assen", "status": "pending"}]

    with running_sandbox({"MOLLIE_SANDBOX_TERMINALS": json.dumps(setting)}) as sandbox:
        [terminal] = sandbox.client().terminals.list()

    assert (terminal.id, terminal.description, terminal.status) == (
        "term_branchDesk",
        "Balie Assen",
        "pending",
    )


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ('[{"id": "desk-1"}]', "A sandbox terminal id must start with 'term_': {'id': 'desk-1'}"),
        ('{"id": "term_x"}', "MOLLIE_SANDBOX_TERMINALS must be a JSON list of objects"),
        ("term_x", "MOLLIE_SANDBOX_TERMINALS is not valid JSON"),
    ],
)
def test_a_bad_terminals_setting_stops_the_program_with_the_reason(
    setting: str, reason: str
) -> None:
    with (
        pytest.raises(RuntimeError) as raised,
        running_sandbox({"MOLLIE_SANDBOX_TERMINALS": setting}),
    ):
        pass

    heading, written = str(raised.value).split("\n", 1)
    assert heading.endswith("exited with 1:")
    assert written.startswith(f"The Mollie sandbox did not start: {reason}")
    assert "Traceback" not in written


def test_a_presented_card_makes_the_payment_pending_and_uncancelable(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = mollie_client.payments.create(pos_data(webhook_url=webhook_receiver.url))

    presented = mollie_sandbox.set_status(payment.id, "pending")
    with pytest.raises(UnprocessableEntityError):
        mollie_client.payments.delete(payment.id)
    paid = mollie_sandbox.set_status(payment.id, "paid")

    assert payment.is_cancelable is True and payment["terminalId"] == KIOSK
    assert presented["status"] == "pending" and presented["isCancelable"] is False
    assert webhook_receiver.payment_ids == [payment.id]
    assert paid["status"] == "paid" and mollie_client.payments.get(payment.id).is_paid()


def test_front_page_drives_terminal_payments(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    at_terminal = mollie_client.payments.create(pos_data(webhook_url=webhook_receiver.url))
    online = mollie_client.payments.create(
        {
            "amount": {"currency": "EUR", "value": "5.00"},
            "description": "Online",
            "redirectUrl": "https://bibliotheek.example/terug",
        }
    )
    action = f"/terminal/{at_terminal.id}"

    page = requests.get(mollie_sandbox.url, timeout=5).text
    presented = requests.post(
        mollie_sandbox.url + action, data={"status": "pending"}, allow_redirects=False, timeout=5
    )
    after_presenting = requests.get(mollie_sandbox.url, timeout=5).text
    requests.post(mollie_sandbox.url + action, data={"status": "canceled"}, timeout=5)
    after_canceling = requests.get(mollie_sandbox.url, timeout=5).text

    buttons = re.findall(rf'action="{action}">.*?</form>', page, re.S)[0]
    assert re.findall(r'name="status" value="(\w+)"', buttons) == [
        "pending", "paid", "failed", "canceled", "expired",
    ]  # fmt: skip
    assert f"/terminal/{online.id}" not in page
    assert presented.status_code == 303 and presented.headers["Location"] == "/"
    assert 'value="pending"' not in after_presenting and 'value="expired"' in after_presenting
    assert action not in after_canceling
    assert mollie_client.payments.get(at_terminal.id).is_canceled()
    assert webhook_receiver.payment_ids == [at_terminal.id]
