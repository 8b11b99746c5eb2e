"""Subscriptions and their recurring direct debits on the sandbox, through the real client."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import UnprocessableEntityError
from mollie.api.objects.customer import Customer

from shared.clock import SYSTEM_CLOCK
from tests.support.mollie_sandbox import MollieSandbox, running_sandbox

if TYPE_CHECKING:
    from tests.support.mollie_sandbox import WebhookReceiver

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
# The keys of mollie-fixtures/subscription_single.json, without its profile link and applicationFee.
SUBSCRIPTION_KEYS = {"resource", "id", "mode", "createdAt", "status", "amount", "times",
                     "timesRemaining", "interval", "startDate", "nextPaymentDate", "description",
                     "method", "mandateId", "webhookUrl", "metadata", "customerId", "canceledAt",
                     "_links"}  # fmt: skip
MANDATE_ACCOUNT = {
    "consumerName": "T. Tester",
    "consumerAccount": "NL55INGB0000000000",
    "consumerBic": "INGBNL2A",
}


def subscription_data(webhook_url: str | None = None, **extra: object) -> dict:
    """A create-subscription body: EUR 5.00 a month from the end of January 2027."""
    data = {
        "amount": {"currency": "EUR", "value": "5.00"},
        "interval": "1 month",
        "startDate": "2027-01-31",
        "description": "Maandabonnement",
        "metadata": {"subscription": "7"},
        **extra,
    }
    if webhook_url:
        data["webhookUrl"] = webhook_url
    return data


def customer_with_mandate(sandbox: MollieSandbox, client: Client) -> tuple[Customer, str]:
    """A customer whose paid first payment signed a mandate, and that mandate's id."""
    customer = client.customers.create({"name": "Anna de Vries"})
    first = customer.payments.create(
        {
            "amount": {"currency": "EUR", "value": "0.01"},
            "description": "Machtiging",
            "redirectUrl": "https://bibliotheek.example/terug",
            "sequenceType": "first",
        }
    )
    return customer, sandbox.set_status(first.id, "paid", webhook=False)["mandateId"]


@pytest.fixture
def subscriber(mollie_sandbox: MollieSandbox, mollie_client: Client) -> tuple[Customer, str]:
    """A customer with a valid mandate, and the mandate's id."""
    return customer_with_mandate(mollie_sandbox, mollie_client)


def test_subscription_has_mollies_shape(
    mollie_sandbox: MollieSandbox, subscriber: tuple[Customer, str]
) -> None:
    customer, mandate_id = subscriber

    subscription = customer.subscriptions.create(
        subscription_data("https://bibliotheek.example/incasso", times=3)
    )

    assert re.fullmatch(r"sub_[A-Za-z0-9]{10}", subscription.id)
    assert set(subscription) <= SUBSCRIPTION_KEYS
    assert subscription.is_active() and subscription.mode == "test"
    assert subscription.amount == {"currency": "EUR", "value": "5.00"}
    assert (subscription.interval, subscription.start_date) == ("1 month", "2027-01-31")
    assert subscription.next_payment_date == "2027-01-31"
    assert (subscription.times, subscription.times_remaining) == (3, 3)
    assert subscription.mandate_id == mandate_id and subscription.method is None
    assert subscription.webhook_url == "https://bibliotheek.example/incasso"
    assert subscription.metadata == {"subscription": "7"}
    assert TIMESTAMP.match(subscription.created_at)
    customer_url = f"{mollie_sandbox.url}/v2/customers/{customer.id}"
    links = subscription["_links"]
    assert links["self"]["href"] == f"{customer_url}/subscriptions/{subscription.id}"
    assert links["customer"]["href"] == customer_url and "payments" not in links
    assert subscription.customer_id == customer.id
    assert subscription.get_mandate().id == mandate_id


def test_subscription_starts_today_and_has_no_end_unless_told(
    subscriber: tuple[Customer, str],
) -> None:
    customer, _ = subscriber
    data = subscription_data()
    del data["startDate"]

    subscription = customer.subscriptions.create(data)

    assert subscription.start_date == SYSTEM_CLOCK.today().isoformat()
    assert subscription.next_payment_date == subscription.start_date
    assert "times" not in subscription and "timesRemaining" not in subscription


def test_subscription_create_replays_for_the_same_key(
    mollie_client: Client, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber

    first = customer.subscriptions.create(subscription_data(), idempotency_key="schedule-7")
    again = customer.subscriptions.create(subscription_data(), idempotency_key="schedule-7")

    assert again.id == first.id
    assert [s.id for s in mollie_client.subscriptions.list()] == [first.id]


def test_a_customer_without_a_valid_mandate_gets_no_subscription(mollie_client: Client) -> None:
    customer = mollie_client.customers.create({"name": "Nog geen machtiging"})

    with pytest.raises(UnprocessableEntityError) as raised:
        customer.subscriptions.create(subscription_data())

    assert str(raised.value) == "The customer has no valid mandate."


def test_a_named_mandate_must_be_the_customers_valid_one(
    subscriber: tuple[Customer, str],
) -> None:
    customer, mandate_id = subscriber

    chosen = customer.subscriptions.create(subscription_data(mandateId=mandate_id))
    with pytest.raises(UnprocessableEntityError) as raised:
        customer.subscriptions.create(
            subscription_data(description="Ander", mandateId="mdt_someoneelse")
        )

    assert chosen.mandate_id == mandate_id and raised.value.field == "mandateId"


def test_a_description_is_unique_among_live_subscriptions(
    subscriber: tuple[Customer, str],
) -> None:
    customer, _ = subscriber
    first = customer.subscriptions.create(subscription_data())

    with pytest.raises(UnprocessableEntityError) as raised:
        customer.subscriptions.create(subscription_data())
    customer.subscriptions.delete(first.id)
    after_cancel = customer.subscriptions.create(subscription_data())

    assert raised.value.field == "description"
    assert after_cancel.is_active() and after_cancel.id != first.id


@pytest.mark.parametrize("interval", ["1 fortnight", "0 months", "13 months", "month", 1, None])
def test_an_interval_mollie_does_not_know_is_refused(
    subscriber: tuple[Customer, str], interval: object
) -> None:
    customer, _ = subscriber

    with pytest.raises(UnprocessableEntityError) as raised:
        customer.subscriptions.create(subscription_data(interval=interval))

    assert raised.value.field == "interval"


@pytest.mark.parametrize(
    ("sent", "kept"), [("1 months", "1 month"), ("12 months", "12 months"), ("2 week", "2 weeks")]
)
def test_intervals_are_kept_in_mollies_wording(
    subscriber: tuple[Customer, str], sent: str, kept: str
) -> None:
    customer, _ = subscriber

    assert customer.subscriptions.create(subscription_data(interval=sent)).interval == kept


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", None), ("description", " "), ("startDate", "2027-02-30"), ("times", 0)],
)
def test_subscription_fields_are_checked(
    subscriber: tuple[Customer, str], field: str, value: object
) -> None:
    customer, _ = subscriber

    with pytest.raises(UnprocessableEntityError) as raised:
        customer.subscriptions.create(subscription_data(**{field: value}))

    assert raised.value.field == field


def test_cancel_answers_the_canceled_subscription_once(
    subscriber: tuple[Customer, str],
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data())

    canceled = customer.subscriptions.delete(subscription.id)
    with pytest.raises(UnprocessableEntityError):
        customer.subscriptions.delete(subscription.id)

    assert canceled.id == subscription.id and canceled.is_canceled()
    assert TIMESTAMP.match(canceled.canceled_at) and canceled.next_payment_date is None
    assert customer.subscriptions.get(subscription.id).is_canceled()


def test_lists_per_customer_and_for_the_account(
    mollie_sandbox: MollieSandbox, mollie_client: Client, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber
    other, _ = customer_with_mandate(mollie_sandbox, mollie_client)
    mine = customer.subscriptions.create(subscription_data())
    theirs = other.subscriptions.create(subscription_data())

    assert [s.id for s in customer.subscriptions.list()] == [mine.id]
    assert [s.id for s in mollie_client.subscriptions.list()] == [theirs.id, mine.id]
    assert {s.customer_id for s in mollie_client.subscriptions.list()} == {customer.id, other.id}


def test_revoking_the_mandate_cancels_the_subscriptions_on_it(
    subscriber: tuple[Customer, str],
) -> None:
    customer, mandate_id = subscriber
    monthly = customer.subscriptions.create(subscription_data())
    yearly_data = subscription_data(interval="12 months", description="Jaarabonnement")
    yearly = customer.subscriptions.create(yearly_data)

    customer.mandates.delete(mandate_id)

    assert customer.mandates.get(mandate_id).is_invalid()
    assert [s.status for s in customer.subscriptions.list()] == ["canceled", "canceled"]
    assert customer.subscriptions.get(monthly.id).canceled_at
    assert customer.subscriptions.get(yearly.id).next_payment_date is None
    with pytest.raises(UnprocessableEntityError):
        customer.subscriptions.create(subscription_data(description="Nieuw"))


def test_a_charge_makes_a_recurring_direct_debit(
    mollie_sandbox: MollieSandbox,
    mollie_client: Client,
    subscriber: tuple[Customer, str],
    webhook_receiver: WebhookReceiver,
) -> None:
    customer, mandate_id = subscriber
    webhook = f"{webhook_receiver.url}/incasso"
    subscription = customer.subscriptions.create(subscription_data(webhook))

    charged = mollie_sandbox.charge(subscription.id, "paid")

    payment = mollie_client.payments.get(charged["id"])
    assert payment.is_paid() and TIMESTAMP.match(payment.paid_at)
    assert (payment.method, payment.sequence_type) == ("directdebit", "recurring")
    assert (payment.customer_id, payment.mandate_id) == (customer.id, mandate_id)
    assert payment.subscription_id == subscription.id
    assert payment.amount == subscription.amount and payment.description == "Maandabonnement"
    assert payment.webhook_url == webhook and payment.metadata == {"subscription": "7"}
    assert payment.details == {**MANDATE_ACCOUNT, "dueDate": "2027-01-31"}
    customer_url = f"{mollie_sandbox.url}/v2/customers/{customer.id}"
    links = payment["_links"]
    assert links["customer"]["href"] == customer_url
    assert links["mandate"]["href"] == f"{customer_url}/mandates/{mandate_id}"
    assert links["subscription"]["href"] == f"{customer_url}/subscriptions/{subscription.id}"
    assert payment.get_subscription().id == subscription.id
    assert webhook_receiver.payment_ids == [payment.id]


def test_charges_move_the_schedule_by_calendar_months(
    mollie_sandbox: MollieSandbox, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data(times=3))

    due_dates, next_dates = [], []
    for _ in range(3):
        due_dates.append(mollie_sandbox.charge(subscription.id, "paid")["details"]["dueDate"])
        next_dates.append(customer.subscriptions.get(subscription.id).next_payment_date)
    completed = customer.subscriptions.get(subscription.id)

    assert due_dates == ["2027-01-31", "2027-02-28", "2027-03-31"]
    assert next_dates == ["2027-02-28", "2027-03-31", None]
    assert completed.is_completed() and completed.times_remaining == 0
    payments = completed.payments.list()
    assert [p.details["dueDate"] for p in payments] == due_dates[::-1]
    assert completed["_links"]["payments"]["href"].endswith(f"/{subscription.id}/payments")


def test_day_and_week_intervals_step_by_days(
    mollie_sandbox: MollieSandbox, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber
    weekly = customer.subscriptions.create(subscription_data(interval="2 weeks"))
    daily = customer.subscriptions.create(
        subscription_data(interval="10 days", description="Dagelijks")
    )

    mollie_sandbox.charge(weekly.id, "paid")
    mollie_sandbox.charge(daily.id, "paid")

    assert customer.subscriptions.get(weekly.id).next_payment_date == "2027-02-14"
    assert customer.subscriptions.get(daily.id).next_payment_date == "2027-02-10"


def test_a_pending_charge_settles_later_and_posts_when_final(
    mollie_sandbox: MollieSandbox,
    mollie_client: Client,
    subscriber: tuple[Customer, str],
    webhook_receiver: WebhookReceiver,
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data(webhook_receiver.url))

    pending = mollie_sandbox.charge(subscription.id, "pending")
    calls_while_pending = list(webhook_receiver.calls)
    failed = mollie_sandbox.set_status(pending["id"], "failed")

    assert pending["status"] == "pending" and pending["isCancelable"] is False
    assert pending["_links"]["changePaymentState"]["href"].endswith(f"/checkout/{pending['id']}")
    assert calls_while_pending == []
    assert failed["status"] == "failed" and webhook_receiver.payment_ids == [pending["id"]]
    assert mollie_client.payments.get(pending["id"]).is_failed()


def test_a_charge_without_webhook_posts_nothing(
    mollie_sandbox: MollieSandbox,
    subscriber: tuple[Customer, str],
    webhook_receiver: WebhookReceiver,
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data(webhook_receiver.url))

    mollie_sandbox.charge(subscription.id, "paid", webhook=False)

    assert webhook_receiver.calls == [] and mollie_sandbox.webhook_log == []


def test_only_an_active_subscription_is_charged(
    mollie_sandbox: MollieSandbox, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data())
    customer.subscriptions.delete(subscription.id)

    answer = requests.post(
        f"{mollie_sandbox.url}/_sandbox/subscriptions/{subscription.id}/charge",
        json={"status": "paid"},
        timeout=5,
    )

    assert answer.status_code == 422 and answer.json()["detail"]
    assert [payment["sequenceType"] for payment in mollie_sandbox.payments()] == ["first"]


def test_front_page_charges_an_active_subscription(
    mollie_sandbox: MollieSandbox, subscriber: tuple[Customer, str]
) -> None:
    customer, _ = subscriber
    subscription = customer.subscriptions.create(subscription_data())
    action = f"/subscriptions/{subscription.id}/charge"

    page = requests.get(mollie_sandbox.url, timeout=5).text
    answer = requests.post(
        mollie_sandbox.url + action, data={"status": "failed"}, allow_redirects=False, timeout=5
    )

    assert f'action="{action}"' in page and f'id="{customer.id}"' in page
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    [charged] = customer.subscriptions.get(subscription.id).payments.list()
    assert charged.is_failed() and charged.sequence_type == "recurring"


def test_state_file_keeps_every_kind_across_restarts(tmp_path: Path) -> None:
    settings = {"MOLLIE_SANDBOX_STATE": str(tmp_path / "sandbox.json")}
    with running_sandbox(settings) as sandbox:
        customer, mandate_id = customer_with_mandate(sandbox, sandbox.client())
        subscription = customer.subscriptions.create(subscription_data())
        charged = sandbox.charge(subscription.id, "paid")
        refund = (
            sandbox.client()
            .payments.get(charged["id"])
            .refunds.create({"amount": {"currency": "EUR", "value": "1.00"}})
        )

    with running_sandbox(settings) as restarted:
        client = restarted.client()
        again = client.customers.get(customer.id)
        kept_subscription = again.subscriptions.get(subscription.id)
        kept_payment = client.payments.get(charged["id"])

        assert again.mandates.get(mandate_id).is_valid()
        assert kept_subscription.next_payment_date == "2027-02-28"
        assert [r.id for r in kept_payment.refunds.list()] == [refund.id]
        assert kept_payment.amount_remaining == {"currency": "EUR", "value": "4.00"}
