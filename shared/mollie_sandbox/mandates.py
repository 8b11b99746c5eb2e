"""SEPA direct-debit mandates: signed by a paid first payment, revoked through the API."""

from datetime import datetime
from typing import Any, TypedDict

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from shared.mollie_sandbox import customers, links
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import day, timestamp

DEFAULT_NAME = "T. Tester"
DEFAULT_ACCOUNT = "NL55INGB0000000000"
NAME_LIMIT = 255
DOCS = "https://docs.mollie.com/reference/v2/mandates-api/"


class ConsumerDetails(TypedDict):
    """A mandate's details: the payer's name and account, as Mollie names them."""

    consumerName: str
    consumerAccount: str
    consumerBic: str | None


def consumer_details(name: Any = None, account: Any = None) -> ConsumerDetails:
    """The payer's name, IBAN and BIC; the sandbox's test account holder unless given."""
    name, account = name or DEFAULT_NAME, account or DEFAULT_ACCOUNT
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_LIMIT:
        raise ApiError(422, "The account holder's name is invalid.", field="consumerName")
    try:
        iban = IBAN(account) if isinstance(account, str) else None
    except SchwiftyException:
        iban = None
    if iban is None:
        raise ApiError(422, f"The IBAN {account} is invalid.", field="consumerAccount")
    bic = str(iban.bic) if iban.bic else None
    return {"consumerName": name.strip(), "consumerAccount": iban.compact, "consumerBic": bic}


def create(state: State, customer_id: str, details: ConsumerDetails, now: datetime) -> Record:
    """Store a valid mandate of the customer, signed today with the payer's account details."""
    mandate_id = new_id(state.mandates, "mdt_")
    mandate = {
        "resource": "mandate",
        "id": mandate_id,
        "mode": "test",
        "status": "valid",
        "method": "directdebit",
        "details": dict(details),
        "mandateReference": f"SANDBOX-{mandate_id[4:].upper()}",
        "signatureDate": day(now),
        "createdAt": timestamp(now),
        "customerId": customer_id,
    }
    state.mandates[mandate_id] = mandate
    return mandate


def get(state: State, customer_id: str, mandate_id: str) -> Record:
    """The customer's stored mandate; Mollie's 404 when the customer has none with this id."""
    customers.get(state, customer_id)
    return lookup(state.mandates, mandate_id, "mandate", customerId=customer_id)


def of_customer(state: State, customer_id: str) -> list[Record]:
    """The customer's mandates, newest first."""
    customers.get(state, customer_id)
    return newest_first(state.mandates, customerId=customer_id)


def valid_one(state: State, customer_id: str, mandate_id: str | None) -> Record:
    """The valid mandate to collect with: the one asked for, else the customer's newest."""
    usable = [m for m in of_customer(state, customer_id) if m["status"] == "valid"]
    chosen = [m for m in usable if m["id"] == mandate_id] if mandate_id else usable[:1]
    if not chosen and mandate_id:
        raise ApiError(422, f"The mandate {mandate_id} is not valid.", field="mandateId")
    if not chosen:
        raise ApiError(422, "The customer has no valid mandate.", field="mandateId")
    return chosen[0]


def render(
    state: State, mandate: Record, base_url: str, docs: str = "get-mandate"
) -> dict[str, Any]:
    """The mandate as the API returns it; the customer shows in the links, as at Mollie."""
    body = {name: value for name, value in mandate.items() if name != "customerId"}
    customer_id = mandate["customerId"]
    body["_links"] = {
        "self": links.api(links.mandate_url(base_url, customer_id, mandate["id"])),
        "customer": links.api(links.customer_url(base_url, customer_id)),
        "documentation": links.html(DOCS + docs),
    }
    return body
