"""Injected faults: the real client meets Mollie outages, proxy pages and slow answers."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import RequestError, ResponseError, ResponseHandlingError

if TYPE_CHECKING:  # imported for real by pytest as a plugin, which must come first
    from tests.support.mollie_sandbox import MollieSandbox

PAYMENT = {
    "amount": {"currency": "EUR", "value": "10.00"},
    "description": "Abonnement",
    "redirectUrl": "https://bibliotheek.example/terug",
}


def waiting_faults(sandbox: MollieSandbox) -> list[dict]:
    """The faults the sandbox still holds, through the control endpoint."""
    return requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()


def test_error_500_raises_the_clients_response_error(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    mollie_sandbox.inject_fault("error_500", count=2)

    with pytest.raises(ResponseError) as raised:
        mollie_client.payments.list()
    left = waiting_faults(mollie_sandbox)
    with pytest.raises(ResponseError):
        mollie_client.payments.create(PAYMENT)

    assert type(raised.value) is ResponseError and raised.value.status == 500
    assert left == [{"mode": "error_500", "count": 1, "delay_seconds": 0.0}]
    assert waiting_faults(mollie_sandbox) == [] and mollie_client.payments.list().count == 0


def test_not_json_raises_the_clients_response_handling_error(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    mollie_sandbox.inject_fault("not_json")

    with pytest.raises(ResponseHandlingError, match="status code: 502"):
        mollie_client.payments.create(PAYMENT)

    assert mollie_client.payments.create(PAYMENT).is_open()


def test_a_delay_past_the_read_timeout_raises_request_error(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    impatient = Client(api_endpoint=mollie_sandbox.url, timeout=(2, 0.3))
    impatient.set_api_key(mollie_sandbox.api_key)
    mollie_sandbox.inject_fault("delay", delay_seconds=0.8)

    started = time.monotonic()
    with pytest.raises(RequestError, match="Read timed out"):
        impatient.terminals.list()
    waited = time.monotonic() - started

    assert 0.3 <= waited < 0.8
    assert len(mollie_client.terminals.list()) == 3


def test_a_delay_within_the_timeout_answers_normally(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    mollie_sandbox.inject_fault("delay", delay_seconds=0.2)

    started = time.monotonic()
    terminals = mollie_client.terminals.list()

    assert time.monotonic() - started >= 0.2 and len(terminals) == 3


def test_a_failed_create_can_be_retried_with_the_same_key(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    mollie_sandbox.inject_fault("error_500")

    with pytest.raises(ResponseError):
        mollie_client.payments.create(PAYMENT, idempotency_key="order-9")
    retried = mollie_client.payments.create(PAYMENT, idempotency_key="order-9")

    assert retried.is_open() and len(mollie_sandbox.payments()) == 1


def test_faults_leave_the_checkout_and_control_endpoints_alone(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    payment = mollie_client.payments.create(PAYMENT)
    mollie_sandbox.inject_fault("error_500")

    pages = [requests.get(url, timeout=5) for url in (payment.checkout_url, mollie_sandbox.url)]
    control = requests.get(f"{mollie_sandbox.url}/_sandbox/webhooks", timeout=5)
    moved = mollie_sandbox.set_status(payment.id, "paid", webhook=False)

    assert [page.status_code for page in pages] == [200, 200] and control.status_code == 200
    assert moved["status"] == "paid" and len(waiting_faults(mollie_sandbox)) == 1
    with pytest.raises(ResponseError):
        mollie_client.payments.get(payment.id)


def test_clear_and_reset_forget_waiting_faults(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    mollie_sandbox.inject_fault("error_500", count=5)
    mollie_sandbox.clear_faults()
    after_clear = mollie_client.payments.list().count
    mollie_sandbox.inject_fault("not_json", count=5)

    requests.post(f"{mollie_sandbox.url}/_sandbox/reset", timeout=5)

    assert after_clear == 0 and waiting_faults(mollie_sandbox) == []
    assert mollie_client.payments.list().count == 0


def test_concurrent_requests_use_up_exactly_count_faults(
    mollie_sandbox: MollieSandbox,
) -> None:
    mollie_sandbox.inject_fault("error_500", count=10)
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        answer = requests.get(
            f"{mollie_sandbox.url}/v2/terminals",
            headers={"Authorization": f"Bearer {mollie_sandbox.api_key}"},
            timeout=10,
        )
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=call) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(statuses) == [200] * 15 + [500] * 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "explode"}, "mode"),
        ({"mode": "delay", "delay_seconds": 61}, "delay_seconds"),
        ({"mode": "delay", "delay_seconds": "1"}, "delay_seconds"),
        ({"mode": "error_500", "count": 0}, "count"),
    ],
)
def test_a_fault_request_is_checked(mollie_sandbox: MollieSandbox, body: dict, field: str) -> None:
    answer = requests.post(f"{mollie_sandbox.url}/_sandbox/faults", json=body, timeout=5)

    assert answer.status_code == 422 and answer.json()["field"] == field
    assert waiting_faults(mollie_sandbox) == []
