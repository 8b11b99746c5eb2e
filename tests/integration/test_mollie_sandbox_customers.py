"""Customers, first payments and mandates on the sandbox, through the real Mollie client."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError, UnprocessableEntityError

from shared.clock import SYSTEM_CLOCK

if TYPE_CHECKING:  # imported for real by pytest as a plugin, which must come first
    from tests.support.mollie_sandbox import MollieSandbox

HAL_JSON = "application/hal+json"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
CUSTOMER = {
    "name": "Anna de Vries",
    "email": "anna@example.org",
    "locale": "nl_NL",
    "metadata": {"patron": "1001"},
}
# The keys of mollie-fixtures/customer_single.json and customer_mandate_single.json (plus mode).
CUSTOMER_KEYS = {"resource", "id", "mode", "name", "email", "locale", "metadata", "createdAt",
                 "_links"}  # fmt: skip
CUSTOMER_LINKS = {"self", "dashboard", "mandates", "subscriptions", "payments", "documentation"}
MANDATE_KEYS = {"resource", "id", "mode", "status", "method", "details", "mandateReference",
                "signatureDate", "createdAt", "_links"}  # fmt: skip


def first_payment_data(**extra: object) -> dict:
    """A create-payment body for an iDEAL first payment of EUR 0.01."""
    return {
        "amount": {"currency": "EUR", "value": "0.01"},
        "description": "Machtiging automatische incasso",
        "redirectUrl": "https://bibliotheek.example/machtiging/terug",
        "method": "ideal",
        "sequenceType": "first",
        **extra,
    }


def api_hrefs(resource: dict) -> list[str]:
    """The hrefs of the resource's links to API resources (not web pages)."""
    return [link["href"] for link in resource["_links"].values() if link["type"] == HAL_JSON]


def test_customer_has_mollies_shape(mollie_sandbox: MollieSandbox, mollie_client: Client) -> None:
    customer = mollie_client.customers.create(CUSTOMER)

    assert re.fullmatch(r"cst_[A-Za-z0-9]{10}", customer.id)
    assert set(customer) == CUSTOMER_KEYS
    assert customer.resource == "customer" and customer.mode == "test"
    assert customer.name == "Anna de Vries" and customer.email == "anna@example.org"
    assert customer.locale == "nl_NL"
    assert customer.metadata == {"patron": "1001"} and TIMESTAMP.match(customer.created_at)
    links = customer["_links"]
    url = f"{mollie_sandbox.url}/v2/customers/{customer.id}"
    assert set(links) == CUSTOMER_LINKS
    assert links["self"]["href"] == url
    assert links["mandates"]["href"] == f"{url}/mandates"
    assert links["subscriptions"]["href"] == f"{url}/subscriptions"
    assert links["payments"]["href"] == f"{url}/payments"
    assert mollie_client.customers.get(customer.id).email == "anna@example.org"


def test_customer_fields_are_optional_and_checked(mollie_client: Client) -> None:
    bare = mollie_client.customers.create({})

    with pytest.raises(UnprocessableEntityError) as raised:
        mollie_client.customers.create({"email": "not an address"})

    assert bare.name is None and bare.metadata is None
    assert raised.value.field == "email"


def test_customer_create_replays_for_the_same_key(mollie_client: Client) -> None:
    first = mollie_client.customers.create(CUSTOMER, idempotency_key="patron-1001")
    again = mollie_client.customers.create(CUSTOMER, idempotency_key="patron-1001")

    assert again.id == first.id
    assert [customer.id for customer in mollie_client.customers.list()] == [first.id]


def test_customers_list_newest_first_a_page_at_a_time(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    ids = [mollie_client.customers.create({"name": f"Lid {n}"}).id for n in range(3)]

    first = mollie_client.customers.list(limit=2)
    second = first.get_next()

    assert [c.id for c in first] == ids[:0:-1] and first.has_next()
    assert [c.id for c in second] == ids[:1] and not second.has_next()
    assert first["_links"]["next"]["href"].startswith(f"{mollie_sandbox.url}/v2/customers?")


def test_unknown_customer_is_not_found(mollie_client: Client) -> None:
    with pytest.raises(NotFoundError) as raised:
        mollie_client.customers.get("cst_doesnotexist")

    assert str(raised.value) == "No customer exists with token cst_doesnotexist."


@pytest.mark.parametrize("customer", [None, "cst_doesnotexist"])
def test_first_payment_needs_a_known_customer(mollie_client: Client, customer: str | None) -> None:
    data = first_payment_data(**({"customerId": customer} if customer else {}))

    with pytest.raises(UnprocessableEntityError) as raised:
        mollie_client.payments.create(data)

    assert raised.value.field == "customerId"


def test_customer_payment_carries_the_customer(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)

    payment = customer.payments.create(first_payment_data())
    listed = customer.payments.list()

    assert payment.customer_id == customer.id and payment.sequence_type == "first"
    assert payment.mandate_id is None and payment.is_open() and payment.checkout_url
    customer_link = payment["_links"]["customer"]["href"]
    assert customer_link == f"{mollie_sandbox.url}/v2/customers/{customer.id}"
    assert [p.id for p in listed] == [payment.id]
    assert payment.get_customer().id == customer.id


def test_checkout_of_a_first_payment_asks_for_the_account(mollie_client: Client) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    payment = customer.payments.create(first_payment_data())

    page = requests.get(payment.checkout_url, timeout=5).text

    assert re.search(r'name="consumer_name"[^>]*value="T\. Tester"', page)
    assert re.search(r'name="consumer_account"[^>]*value="NL55INGB0000000000"', page)
    assert '<label class="field" for="consumer_account">IBAN</label>' in page
    assert 'name="status" value="paid"' in page


def test_paid_first_payment_at_checkout_signs_a_mandate(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    payment = customer.payments.create(first_payment_data())
    form = {
        "status": "paid",
        "consumer_name": "A. de Vries",
        "consumer_account": "NL91 ABNA 0417 1643 00",
    }

    answer = requests.post(payment.checkout_url, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 303
    paid = mollie_client.payments.get(payment.id)
    [mandate] = customer.mandates.list()
    account = {
        "consumerName": "A. de Vries",
        "consumerAccount": "NL91ABNA0417164300",
        "consumerBic": "ABNANL2A",
    }
    assert paid.is_paid() and paid.mandate_id == mandate.id and paid.details == account
    assert re.fullmatch(r"mdt_[A-Za-z0-9]{10}", mandate.id) and set(mandate) == MANDATE_KEYS
    assert (mandate.status, mandate.method, mandate.details) == ("valid", "directdebit", account)
    assert mandate.signature_date == SYSTEM_CLOCK.today().isoformat()
    assert mandate.mandate_reference and TIMESTAMP.match(mandate.created_at)
    base = f"{mollie_sandbox.url}/v2/customers/{customer.id}"
    assert paid["_links"]["mandate"]["href"] == f"{base}/mandates/{mandate.id}"
    assert paid.get_mandate().id == mandate.id and mandate.get_customer().id == customer.id


def test_checkout_refuses_an_invalid_iban_and_keeps_the_payment_open(
    mollie_client: Client,
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    payment = customer.payments.create(first_payment_data())
    form = {"status": "paid", "consumer_name": "A. de Vries", "consumer_account": "NL00INGB0"}

    answer = requests.post(payment.checkout_url, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert 'aria-invalid="true"' in answer.text and 'value="NL00INGB0"' in answer.text
    assert mollie_client.payments.get(payment.id).is_open()
    assert len(customer.mandates.list()) == 0


def test_control_endpoint_signs_with_the_default_or_given_account(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    default = customer.payments.create(first_payment_data())
    given = customer.payments.create(first_payment_data())

    mollie_sandbox.set_status(default.id, "paid")
    mollie_sandbox.set_status(
        given.id, "paid", consumer_name="B. Bakker", consumer_account="NL44RABO0123456789"
    )

    newest, oldest = customer.mandates.list()
    assert oldest.details == {
        "consumerName": "T. Tester",
        "consumerAccount": "NL55INGB0000000000",
        "consumerBic": "INGBNL2A",
    }
    assert newest.details["consumerName"] == "B. Bakker"
    assert newest.details["consumerAccount"] == "NL44RABO0123456789"


@pytest.mark.parametrize("outcome", ["failed", "canceled", "expired"])
def test_a_first_payment_that_is_not_paid_signs_nothing(
    mollie_sandbox: MollieSandbox, mollie_client: Client, outcome: str
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    payment = customer.payments.create(first_payment_data())

    moved = mollie_sandbox.set_status(payment.id, outcome)

    assert moved["status"] == outcome and "mandateId" not in moved
    assert len(customer.mandates.list()) == 0


def test_a_oneoff_payment_of_a_customer_signs_nothing(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    payment = customer.payments.create(first_payment_data(sequenceType="oneoff"))

    mollie_sandbox.set_status(payment.id, "paid")

    assert len(customer.mandates.list()) == 0


def test_mandates_belong_to_their_customer(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    owner = mollie_client.customers.create(CUSTOMER)
    other = mollie_client.customers.create({"name": "Someone else"})
    mollie_sandbox.set_status(owner.payments.create(first_payment_data()).id, "paid")
    [mandate] = owner.mandates.list()

    with pytest.raises(NotFoundError):
        other.mandates.get(mandate.id)

    assert owner.mandates.get(mandate.id).is_valid()
    assert all(href.startswith(f"{mollie_sandbox.url}/v2/") for href in api_hrefs(mandate))


def test_revoked_mandate_is_invalid_and_answers_204(
    mollie_sandbox: MollieSandbox, mollie_client: Client
) -> None:
    customer = mollie_client.customers.create(CUSTOMER)
    mollie_sandbox.set_status(customer.payments.create(first_payment_data()).id, "paid")
    [mandate] = customer.mandates.list()
    url = f"{mollie_sandbox.url}/v2/customers/{customer.id}/mandates/{mandate.id}"

    answer = requests.delete(
        url, headers={"Authorization": f"Bearer {mollie_sandbox.api_key}"}, timeout=5
    )
    again = customer.mandates.delete(mandate.id)

    assert answer.status_code == 204 and answer.content == b"" and again == {}
    assert customer.mandates.get(mandate.id).is_invalid()
