"""The Mollie sandbox driven by the real mollie-api-python client over real HTTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from mollie.api.client import Client
from mollie.api.error import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableEntityError,
)

from tests.support.mollie_sandbox import MollieSandbox, WebhookReceiver, running_sandbox
from tests.support.servers import free_port, running_server

pytest_plugins = ["tests.support.mollie_sandbox"]

REDIRECT_URL = "https://bibliotheek.example/betalen/terug/1"
# The top-level keys of mollie-fixtures/payment_single.json, plus the status timestamps and locale.
MOLLIE_PAYMENT_KEYS = {
    "resource", "id", "mode", "createdAt", "captureDelay", "captureMode", "captureBefore",
    "amount", "description", "method", "metadata", "orderId", "status", "isCancelable",
    "amountCaptured", "amountChargedBack", "expiresAt", "details", "profileId", "customerId",
    "settlementId", "settlementAmount", "sequenceType", "redirectUrl", "cancelUrl", "webhookUrl",
    "mandateId", "subscriptionId", "routing", "_links",
    "paidAt", "failedAt", "canceledAt", "expiredAt", "locale", "terminalId",
}  # fmt: skip
FORM = "application/x-www-form-urlencoded"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
FINAL_OUTCOMES = {"paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt",
                  "expired": "expiredAt"}  # fmt: skip


def ideal_data(webhook_url: str | None = None, **extra: object) -> dict:
    """A create-payment body for an iDEAL payment of EUR 10.00."""
    data = {
        "amount": {"currency": "EUR", "value": "10.00"},
        "description": "Abonnement Bibliotheek 2025",
        "redirectUrl": REDIRECT_URL,
        "method": "ideal",
        "metadata": {"payment": "42"},
        **extra,
    }
    if webhook_url:
        data["webhookUrl"] = webhook_url
    return data


def pos_data(webhook_url: str) -> dict:
    """A create-payment body for a payment at a point-of-sale terminal."""
    return {
        "amount": {"currency": "EUR", "value": "2.50"},
        "description": "Vervangende pas",
        "method": "pointofsale",
        "terminalId": "term_sandboxKiosk1",
        "webhookUrl": webhook_url,
    }


@pytest.fixture
def client(mollie_sandbox: MollieSandbox) -> Client:
    """The real Mollie client, pointed at the sandbox."""
    return mollie_sandbox.client()


def pay(checkout_url: str) -> requests.Response:
    """Choose 'paid' on the checkout page, without following the redirect to the shop."""
    return requests.post(checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=10)


def auth(sandbox: MollieSandbox, **headers: str) -> dict[str, str]:
    """Headers with the sandbox's test API key."""
    return {"Authorization": f"Bearer {sandbox.api_key}", **headers}


def test_created_payment_has_mollies_shape(mollie_sandbox: MollieSandbox, client: Client) -> None:
    payment = client.payments.create(ideal_data("https://bibliotheek.example/webhook"))

    assert re.fullmatch(r"tr_[A-Za-z0-9]{10}", payment.id)
    assert set(payment) <= MOLLIE_PAYMENT_KEYS
    assert payment.resource == "payment" and payment.mode == "test"
    assert payment.is_open() and not payment.is_paid() and payment.is_cancelable is False
    assert payment.amount == {"currency": "EUR", "value": "10.00"}
    assert payment.method == "ideal" and payment.sequence_type == "oneoff"
    assert payment.metadata == {"payment": "42"}
    assert payment.profile_id.startswith("pfl_")
    assert payment.redirect_url == REDIRECT_URL
    assert payment.webhook_url == "https://bibliotheek.example/webhook"
    assert TIMESTAMP.match(payment.created_at) and TIMESTAMP.match(payment.expires_at)
    created, expires = (datetime.fromisoformat(t) for t in (payment.created_at, payment.expires_at))
    assert expires - created == timedelta(minutes=15)
    assert payment.checkout_url == f"{mollie_sandbox.url}/checkout/{payment.id}"
    links = payment["_links"]
    assert links["self"]["href"] == f"{mollie_sandbox.url}/v2/payments/{payment.id}"
    assert {"self", "checkout", "dashboard", "documentation"} <= set(links)


def test_get_returns_the_created_payment(client: Client) -> None:
    created = client.payments.create(ideal_data())

    fetched = client.payments.get(created.id)

    assert fetched.id == created.id and fetched.is_open()
    assert fetched.amount == created.amount and fetched.description == created.description
    assert fetched.checkout_url == created.checkout_url


@pytest.mark.parametrize("value", [10, 10.0, "10", "10.5", "10,00", "-1.00", "0.00"])
def test_amount_value_must_be_a_string_with_two_decimals(client: Client, value: object) -> None:
    data = ideal_data()
    data["amount"] = {"currency": "EUR", "value": value}

    with pytest.raises(UnprocessableEntityError) as raised:
        client.payments.create(data)

    assert raised.value.status == 422 and raised.value.field == "amount.value"


def test_redirect_url_is_required_for_ideal(client: Client) -> None:
    data = ideal_data()
    del data["redirectUrl"]

    with pytest.raises(UnprocessableEntityError) as raised:
        client.payments.create(data)

    assert raised.value.field == "redirectUrl"


def test_list_is_newest_first_and_pages(mollie_sandbox: MollieSandbox, client: Client) -> None:
    ids = [client.payments.create(ideal_data()).id for _ in range(5)]
    newest_first = ids[::-1]

    everything = client.payments.list()
    first = client.payments.list(limit=2)
    second = first.get_next()
    third = second.get_next()

    assert [p.id for p in everything] == newest_first and everything.count == 5
    assert [p.id for p in first] == newest_first[:2] and not first.has_previous()
    assert [p.id for p in second] == newest_first[2:4] and second.has_previous()
    assert [p.id for p in third] == newest_first[4:] and not third.has_next()
    assert [p.id for p in second.get_previous()] == newest_first[:2]
    links = first["_links"]
    assert links["self"]["href"] == f"{mollie_sandbox.url}/v2/payments?limit=2"
    assert links["next"]["href"] == f"{mollie_sandbox.url}/v2/payments?from={ids[2]}&limit=2"
    assert links["previous"] is None and links["documentation"]["href"]


def test_list_refuses_a_limit_above_250(mollie_sandbox: MollieSandbox) -> None:
    response = requests.get(
        f"{mollie_sandbox.url}/v2/payments?limit=251", headers=auth(mollie_sandbox), timeout=5
    )

    assert response.status_code == 400 and response.json()["field"] == "limit"


def test_checkout_page_offers_the_outcomes_as_a_radio_group(client: Client) -> None:
    payment = client.payments.create(ideal_data())

    page = requests.get(payment.checkout_url, timeout=5)

    assert page.status_code == 200
    values = re.findall(r'<input type="radio" name="status" value="(\w+)"', page.text)
    assert values == ["paid", "failed", "canceled", "expired", "open"]
    assert "<fieldset" in page.text and "<legend>" in page.text and "<label" in page.text
    assert "Abonnement Bibliotheek 2025" in page.text and "EUR 10.00" in page.text
    assert 'type="submit"' in page.text


@pytest.mark.parametrize("outcome", FINAL_OUTCOMES)
def test_checkout_outcome_posts_the_webhook_and_redirects(
    client: Client, webhook_receiver: WebhookReceiver, outcome: str
) -> None:
    payment = client.payments.create(ideal_data(f"{webhook_receiver.url}/webhook"))

    answer = requests.post(
        payment.checkout_url, data={"status": outcome}, allow_redirects=False, timeout=10
    )

    assert answer.status_code == 303 and answer.headers["Location"] == REDIRECT_URL
    [call] = webhook_receiver.calls
    assert call == {"path": "/webhook", "form": {"id": payment.id}, "mimetype": FORM}
    now = client.payments.get(payment.id)
    assert now.status == outcome and now.is_paid() is (outcome == "paid")
    assert TIMESTAMP.match(now[FINAL_OUTCOMES[outcome]])
    assert now.checkout_url is None and now.is_cancelable is False and now.expires_at is None


def test_open_outcome_keeps_the_payment_open_without_webhook(
    client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = client.payments.create(ideal_data(f"{webhook_receiver.url}/webhook"))

    answer = requests.post(
        payment.checkout_url, data={"status": "open"}, allow_redirects=False, timeout=10
    )

    assert answer.status_code == 303 and answer.headers["Location"] == REDIRECT_URL
    assert webhook_receiver.calls == []
    assert client.payments.get(payment.id).checkout_url == payment.checkout_url


def test_checkout_of_a_final_payment_says_so(
    mollie_sandbox: MollieSandbox, client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = client.payments.create(ideal_data(f"{webhook_receiver.url}/webhook"))
    pay(payment.checkout_url)

    page = requests.get(payment.checkout_url, timeout=5)
    again = requests.post(
        payment.checkout_url, data={"status": "failed"}, allow_redirects=False, timeout=10
    )

    assert "already paid" in page.text and f'href="{REDIRECT_URL}"' in page.text
    assert 'name="status"' not in page.text
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/checkout/{payment.id}")
    assert client.payments.get(payment.id).status == "paid"
    assert webhook_receiver.payment_ids == [payment.id]
    assert [d["status"] for d in mollie_sandbox.webhook_log] == [200]


def test_an_unreachable_webhook_is_logged_not_raised(
    mollie_sandbox: MollieSandbox, client: Client
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}/webhook"
    payment = client.payments.create(ideal_data(nobody_listens))

    moved = mollie_sandbox.set_status(payment.id, "paid")

    assert moved["status"] == "paid"
    [delivery] = requests.get(f"{mollie_sandbox.url}/_sandbox/webhooks", timeout=5).json()
    assert delivery["paymentId"] == payment.id and delivery["status"] is None
    assert delivery["error"]


def test_idempotent_replay_returns_the_same_payment(mollie_sandbox: MollieSandbox) -> None:
    url = f"{mollie_sandbox.url}/v2/payments"
    headers = auth(mollie_sandbox, **{"Idempotency-Key": "k-1"})

    first = requests.post(url, json=ideal_data(), headers=headers, timeout=5)
    second = requests.post(url, json=ideal_data(), headers=headers, timeout=5)

    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(mollie_sandbox.payments()) == 1


def test_same_idempotency_key_with_other_parameters_is_refused(client: Client) -> None:
    client.payments.create(ideal_data(), idempotency_key="order-7")

    with pytest.raises(BadRequestError) as raised:
        client.payments.create(ideal_data(description="Iets anders"), idempotency_key="order-7")

    assert raised.value.status == 400


@pytest.fixture
def slow_webhook() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A webhook that holds every call until released: (url, entered, release)."""
    entered, release = threading.Event(), threading.Event()
    app = Flask(__name__)

    @app.post("/webhook")
    def hold() -> str:
        entered.set()
        release.wait(timeout=10)
        return ""

    with running_server(app) as url:
        yield f"{url}/webhook", entered, release
        release.set()


def test_a_concurrent_repeat_of_a_key_conflicts(
    mollie_sandbox: MollieSandbox, client: Client, slow_webhook: tuple
) -> None:
    webhook_url, entered, release = slow_webhook
    payment = client.payments.create(pos_data(webhook_url))
    first = threading.Thread(target=client.payments.delete, args=(payment.id, "cancel-1"))
    first.start()
    assert entered.wait(timeout=10)

    with pytest.raises(ConflictError):
        mollie_sandbox.client().payments.delete(payment.id, idempotency_key="cancel-1")
    release.set()
    first.join(timeout=10)

    assert client.payments.delete(payment.id, idempotency_key="cancel-1").is_canceled()


def test_requests_without_a_test_key_are_unauthorized(mollie_sandbox: MollieSandbox) -> None:
    answer = requests.get(f"{mollie_sandbox.url}/v2/payments", timeout=5)
    live = Client(api_endpoint=mollie_sandbox.url)
    live.set_api_key("live_abcdefghijklmnopqrstuvwxyz0123")

    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized Request" and body["detail"]
    assert body["_links"]["documentation"]["href"].startswith("https://docs.mollie.com/")
    with pytest.raises(UnauthorizedError):
        live.payments.list()


def test_unknown_payment_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as raised:
        client.payments.get("tr_doesnotexist")

    assert raised.value.status == 404


def test_ideal_payment_cannot_be_canceled(client: Client) -> None:
    payment = client.payments.create(ideal_data())

    with pytest.raises(UnprocessableEntityError):
        client.payments.delete(payment.id)

    assert client.payments.get(payment.id).is_open()


def test_open_point_of_sale_payment_can_be_canceled(
    client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = client.payments.create(pos_data(f"{webhook_receiver.url}/webhook"))

    canceled = client.payments.delete(payment.id)

    assert payment.is_cancelable is True and payment.checkout_url is None
    assert payment.changepaymentstate_url.endswith(f"/checkout/{payment.id}")
    assert canceled.is_canceled() and TIMESTAMP.match(canceled.canceled_at)
    assert canceled.is_cancelable is False
    assert webhook_receiver.payment_ids == [payment.id]


def test_control_endpoint_moves_once_and_webhook_is_optional(
    mollie_sandbox: MollieSandbox, client: Client, webhook_receiver: WebhookReceiver
) -> None:
    payment = client.payments.create(ideal_data(f"{webhook_receiver.url}/webhook"))

    moved = mollie_sandbox.set_status(payment.id, "paid", webhook=False)
    again = requests.post(
        f"{mollie_sandbox.url}/_sandbox/payments/{payment.id}/status",
        json={"status": "failed"},
        timeout=5,
    )

    assert moved["status"] == "paid" and moved["paidAt"]
    assert again.status_code == 422 and again.json()["detail"]
    assert webhook_receiver.calls == [] and mollie_sandbox.webhook_log == []
    assert client.payments.get(payment.id).is_paid()


def test_reset_forgets_every_payment(mollie_sandbox: MollieSandbox, client: Client) -> None:
    client.payments.create(ideal_data())

    answer = requests.post(f"{mollie_sandbox.url}/_sandbox/reset", timeout=5)

    assert answer.status_code == 204
    assert mollie_sandbox.payments() == [] and client.payments.list().count == 0


def test_state_file_keeps_payments_across_restarts(tmp_path: Path) -> None:
    settings = {"MOLLIE_SANDBOX_STATE": str(tmp_path / "sandbox.json")}
    with running_sandbox(settings) as first:
        payment = first.client().payments.create(ideal_data())
        pay(payment.checkout_url)

    with running_sandbox(settings) as restarted:
        again = restarted.client().payments.get(payment.id)
        kept = restarted.payment(payment.id)

    assert kept["status"] == "paid" and "_links" not in kept
    assert again.is_paid() and again.amount == payment.amount
    assert again["_links"]["self"]["href"] == f"{restarted.url}/v2/payments/{payment.id}"


def test_public_url_and_profile_come_from_the_environment() -> None:
    settings = {
        "MOLLIE_SANDBOX_PUBLIC_URL": "https://sandbox.bibliotheek.example/",
        "MOLLIE_SANDBOX_PROFILE": "pfl_assen00001",
    }
    with running_sandbox(settings) as sandbox:
        payment = sandbox.client().payments.create(ideal_data())

    assert payment.profile_id == "pfl_assen00001"
    assert payment.checkout_url == f"https://sandbox.bibliotheek.example/checkout/{payment.id}"


def test_control_endpoints_show_payments_as_kept(
    mollie_sandbox: MollieSandbox, client: Client
) -> None:
    older, newer = (client.payments.create(ideal_data()) for _ in range(2))

    listed = mollie_sandbox.payments()
    one = requests.get(f"{mollie_sandbox.url}/_sandbox/payments/{older.id}", timeout=5)
    unknown = requests.get(f"{mollie_sandbox.url}/_sandbox/payments/tr_doesnotexist", timeout=5)

    assert [p["id"] for p in listed] == [newer.id, older.id]
    assert one.status_code == 200 and one.json() == listed[1] and "_links" not in listed[1]
    assert one.json()["amount"] == older.amount and one.json()["status"] == "open"
    assert unknown.status_code == 404 and unknown.json()["detail"]


def test_front_page_lists_payments_with_checkout_links(mollie_sandbox: MollieSandbox) -> None:
    assert "No payments yet" in requests.get(mollie_sandbox.url, timeout=10).text
    payment = mollie_sandbox.client().payments.create(
        {
            "amount": {"currency": "EUR", "value": "58.00"},
            "description": "Basis",
            "redirectUrl": "http://127.0.0.1:9/return",
        }
    )
    page = requests.get(mollie_sandbox.url, timeout=10).text
    assert f"/checkout/{payment.id}" in page and "EUR 58.00" in page
