"""The sandbox as a live profile behaves: open payments expire, webhooks are retried, methods
refuse what they do not take, and only the keys it was given are accepted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import UnauthorizedError, UnprocessableEntityError
from mollie.api.objects.payment import Payment

from tests.integration.test_mollie_sandbox import ideal_data, pos_data
from tests.integration.test_mollie_sandbox_recurring import customer_with_mandate, subscription_data
from tests.support.mollie_sandbox import MollieSandbox, WebhookReceiver, running_sandbox

UNAUTHORIZED = {
    "status": 401,
    "title": "Unauthorized Request",
    "detail": "Missing authentication, or failed to authenticate",
    "_links": {
        "documentation": {
            "href": "https://docs.mollie.com/guides/authentication",
            "type": "text/html",
        }
    },
}  # mollie-fixtures/error_unauthorized.json, a body Mollie sent
RETRY_SCALE = "0.001"  # Mollie's 1 m becomes 60 ms
# docs.mollie.com webhooks, "Retry schema": 0, 1 m, 3 m, 7 m, 15 m, 31 m, 1 h, 2 h, 4 h, 26 h.
MOLLIE_SCHEDULE_SECONDS = (0, 60, 180, 420, 900, 1860, 3600, 7200, 14400, 93600)
EXPIRY = timedelta(minutes=15)


@pytest.fixture(scope="module")
def retrying_sandbox() -> Iterator[MollieSandbox]:
    """A sandbox that retries webhooks on Mollie's schedule, a thousand times faster."""
    with running_sandbox({"MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE": RETRY_SCALE}) as sandbox:
        yield sandbox


def wait_for(condition: object, seconds: float = 5.0) -> None:
    """Poll `condition()` until it is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


def failing_webhook(sandbox: MollieSandbox, receiver: WebhookReceiver, status: int) -> Payment:
    """A new payment on the emptied sandbox whose webhook answers `status`."""
    sandbox.reset()
    payment = sandbox.client().payments.create(ideal_data(receiver.url))
    receiver.status_code = status
    return payment


def refused(client: Client, data: dict) -> UnprocessableEntityError:
    """The client's 422 for creating a payment from `data`."""
    with pytest.raises(UnprocessableEntityError) as raised:
        client.payments.create(data)
    return raised.value


# Expiry


def test_an_ideal_checkout_expires_after_15_minutes_with_its_webhook(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = mollie_client.payments.create(ideal_data(webhook_receiver.url))
    expires_at = datetime.fromisoformat(payment.expires_at)

    early = mollie_sandbox.set_clock(expires_at - timedelta(seconds=5))
    still_open = mollie_client.payments.get(payment.id)
    calls_before = list(webhook_receiver.calls)
    expired = mollie_sandbox.set_clock(expires_at)
    fetched = mollie_client.payments.get(payment.id)

    assert expires_at - datetime.fromisoformat(payment.created_at) == EXPIRY
    assert early == [] and still_open.is_open() and calls_before == []
    assert expired == [payment.id] and fetched.is_expired() and fetched.expires_at is None
    assert fetched.expired_at == payment.expires_at
    assert webhook_receiver.payment_ids == [payment.id]
    assert "checkout" not in fetched["_links"]


def test_an_expired_checkout_says_so_and_cannot_be_paid(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    payment = mollie_client.payments.create(ideal_data())
    mollie_sandbox.advance_clock(EXPIRY.total_seconds())

    page = requests.get(payment.checkout_url, timeout=5)
    paying = requests.post(payment.checkout_url, data={"status": "paid"}, timeout=5)

    assert "already expired" in page.text and "already expired" in paying.text
    assert mollie_client.payments.get(payment.id).is_expired()


def test_expiry_is_noticed_without_a_request_and_the_webhook_sent(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = mollie_client.payments.create(ideal_data(webhook_receiver.url))

    mollie_sandbox.set_clock(datetime.fromisoformat(payment.expires_at) - timedelta(seconds=0.5))
    assert mollie_sandbox.payment(payment.id)["status"] == "open"
    wait_for(lambda: webhook_receiver.payment_ids == [payment.id])

    assert mollie_sandbox.payment(payment.id)["status"] == "expired"


def test_a_terminal_payment_expires_after_40_seconds_and_a_collection_never(
    mollie_sandbox: MollieSandbox, mollie_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    terminal = mollie_client.payments.create(pos_data(webhook_receiver.url))
    customer, _ = customer_with_mandate(mollie_sandbox, mollie_client)
    subscription = customer.subscriptions.create(subscription_data())
    collection = mollie_sandbox.charge(subscription.id, "pending")
    created = datetime.fromisoformat(terminal.created_at)

    expired = mollie_sandbox.advance_clock(40)

    assert datetime.fromisoformat(terminal.expires_at) - created == timedelta(seconds=40)
    assert expired == [terminal.id] and mollie_client.payments.get(terminal.id).is_expired()
    assert "expiresAt" not in collection and mollie_sandbox.advance_clock(86400 * 30) == []


def test_the_clock_moves_to_a_moment_and_back_on_reset(mollie_sandbox: MollieSandbox) -> None:
    moment = "2030-01-31T23:00:00+00:00"

    moved = requests.post(f"{mollie_sandbox.url}/_sandbox/clock", json={"now": moment}, timeout=5)
    bad = requests.post(f"{mollie_sandbox.url}/_sandbox/clock", json={"now": "tomorrow"}, timeout=5)
    backwards = requests.post(
        f"{mollie_sandbox.url}/_sandbox/clock", json={"advance_seconds": -1}, timeout=5
    )
    mollie_sandbox.reset()

    assert moved.json()["now"].startswith("2030-01-31T23:00") and moved.json()["offsetSeconds"] > 0
    assert bad.status_code == 422 and backwards.status_code == 422
    assert mollie_sandbox.clock()["offsetSeconds"] == 0


# Webhook retries


def test_a_failing_webhook_is_retried_until_it_answers_200(
    retrying_sandbox: MollieSandbox, webhook_receiver: WebhookReceiver
) -> None:
    payment = failing_webhook(retrying_sandbox, webhook_receiver, 503)

    retrying_sandbox.set_status(payment.id, "paid")
    wait_for(lambda: len(webhook_receiver.calls) == 3)
    webhook_receiver.status_code = 200
    wait_for(lambda: len(retrying_sandbox.webhook_log) == 4)
    time.sleep(1.0)  # the next retries would be due by now (0.48 s, 0.96 s)

    log = retrying_sandbox.webhook_log
    assert [(d["attempt"], d["status"]) for d in log] == [(1, 503), (2, 503), (3, 503), (4, 200)]
    assert webhook_receiver.payment_ids == [payment.id] * 4


def test_a_failing_webhook_is_called_ten_times_on_mollies_schedule(
    webhook_receiver: WebhookReceiver,
) -> None:
    scale = 0.00005  # 26 hours become 4.7 s
    with running_sandbox({"MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE": str(scale)}) as sandbox:
        payment = sandbox.client().payments.create(ideal_data(webhook_receiver.url))
        webhook_receiver.status_code = 500
        sandbox.set_status(payment.id, "canceled")
        wait_for(lambda: len(webhook_receiver.calls) == 10, seconds=15)
        time.sleep(0.5)

        log = sandbox.webhook_log
    offsets = [arrival - webhook_receiver.arrivals[0] for arrival in webhook_receiver.arrivals]
    assert [d["attempt"] for d in log] == list(range(1, 11)) and len(offsets) == 10
    for offset, scheduled in zip(offsets, MOLLIE_SCHEDULE_SECONDS, strict=True):
        assert scheduled * scale <= offset + 0.01 < scheduled * scale + 1.0


def test_an_unreachable_webhook_is_retried_too(retrying_sandbox: MollieSandbox) -> None:
    retrying_sandbox.reset()
    client = retrying_sandbox.client()
    payment = client.payments.create(ideal_data("http://127.0.0.1:9/webhook"))

    retrying_sandbox.set_status(payment.id, "canceled")
    wait_for(lambda: len(retrying_sandbox.webhook_log) == 3)

    log = retrying_sandbox.webhook_log
    assert [d["attempt"] for d in log] == [1, 2, 3]
    assert all(d["status"] is None and d["error"] for d in log)


def test_a_reset_drops_the_retries_still_waiting(
    retrying_sandbox: MollieSandbox, webhook_receiver: WebhookReceiver
) -> None:
    payment = failing_webhook(retrying_sandbox, webhook_receiver, 500)
    retrying_sandbox.set_status(payment.id, "failed")
    wait_for(lambda: len(webhook_receiver.calls) == 5, seconds=5)

    retrying_sandbox.reset()
    calls = len(webhook_receiver.calls)
    time.sleep(2.0)  # attempt 6 would come 0.96 s after attempt 5

    assert len(webhook_receiver.calls) == calls and retrying_sandbox.webhook_log == []


def test_without_retries_a_failing_webhook_is_called_once(
    webhook_receiver: WebhookReceiver,
) -> None:
    settings = {
        "MOLLIE_SANDBOX_WEBHOOK_RETRIES": "off",
        "MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE": "0.001",
    }
    with running_sandbox(settings) as sandbox:
        payment = sandbox.client().payments.create(ideal_data(webhook_receiver.url))
        webhook_receiver.status_code = 500
        sandbox.set_status(payment.id, "paid")
        time.sleep(0.3)

        assert [d["status"] for d in sandbox.webhook_log] == [500]


# Refusals


def test_an_unknown_method_is_refused(mollie_client: Client) -> None:
    error = refused(mollie_client, ideal_data(method="bogus"))
    listed = refused(mollie_client, ideal_data(method=["ideal", "bogus"]))

    assert error.status == 422 and error.field == "method" and listed.field == "method"
    assert str(error) == "The payment method is invalid."


def test_a_currency_the_method_does_not_take_is_refused(mollie_client: Client) -> None:
    error = refused(mollie_client, ideal_data(amount={"currency": "USD", "value": "10.00"}))

    assert error.field == "amount.currency" and "USD" in str(error)
    assert mollie_client.payments.create(
        ideal_data(method="creditcard", amount={"currency": "USD", "value": "10.00"})
    ).amount == {"currency": "USD", "value": "10.00"}


@pytest.mark.parametrize(
    ("method", "value", "detail"),
    [
        ("ideal", "50000.01", "The amount is higher than the maximum"),
        ("pointofsale", "50000.01", "The amount is higher than the maximum"),
        ("creditcard", "10000.01", "The amount is higher than the maximum"),
    ],
)
def test_an_amount_over_the_methods_limit_is_refused(
    mollie_client: Client, method: str, value: str, detail: str
) -> None:
    data = (
        pos_data("https://bibliotheek.example/webhook") if method == "pointofsale" else ideal_data()
    )
    data.update(method=method, amount={"currency": "EUR", "value": value})

    error = refused(mollie_client, data)

    assert (error.status, error.field, str(error)) == (422, "amount", detail)


def test_the_highest_amount_a_method_takes_is_accepted(mollie_client: Client) -> None:
    payment: Payment = mollie_client.payments.create(
        ideal_data(amount={"currency": "EUR", "value": "50000.00"})
    )

    assert payment.is_open()


def test_an_unknown_terminal_is_refused(mollie_client: Client) -> None:
    data = pos_data("https://bibliotheek.example/webhook")
    data["terminalId"] = "term_unknown"

    error = refused(mollie_client, data)

    assert error.field == "terminalId" and "term_unknown" in str(error)


# API keys


def test_the_embedded_key_is_the_only_one_by_default() -> None:
    with running_sandbox({"MOLLIE_SANDBOX_KEYS": ""}) as sandbox:
        embedded, other = Client(api_endpoint=sandbox.url), sandbox.client()
        embedded.set_api_key("test_openbalie_sandbox")

        assert embedded.payments.list().count == 0
        with pytest.raises(UnauthorizedError):
            other.payments.list()


def test_a_key_it_was_not_given_gets_mollies_401(mollie_sandbox: MollieSandbox) -> None:
    stranger = Client(api_endpoint=mollie_sandbox.url)
    stranger.set_api_key("test_revoked0000000000000000000")

    answer = requests.get(
        f"{mollie_sandbox.url}/v2/payments",
        headers={"Authorization": "Bearer test_revoked0000000000000000000"},
        timeout=5,
    )

    assert answer.status_code == 401 and answer.json() == UNAUTHORIZED
    with pytest.raises(UnauthorizedError) as raised:
        stranger.payments.create(ideal_data())
    assert raised.value.status == 401


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"MOLLIE_SANDBOX_KEYS": "sandbox-key"}, "MOLLIE_SANDBOX_KEYS must be keys like"),
        ({"MOLLIE_SANDBOX_WEBHOOK_RETRIES": "yes"}, "MOLLIE_SANDBOX_WEBHOOK_RETRIES must be"),
        ({"MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE": "0"}, "MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE must"),
    ],
)
def test_a_bad_setting_stops_the_program_with_the_reason(settings: dict, reason: str) -> None:
    with pytest.raises(RuntimeError) as raised, running_sandbox(settings):
        pass

    assert f"The Mollie sandbox did not start: {reason}" in str(raised.value)
