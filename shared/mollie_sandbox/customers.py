"""Customers: the payers that mandates, subscriptions and recurring payments belong to."""

from datetime import datetime
from typing import Any

from shared.mollie_sandbox import links
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import timestamp

DOCS = "https://docs.mollie.com/reference/v2/customers-api/"


def create(state: State, fields: dict[str, Any], now: datetime) -> Record:
    """Store a new customer made from validated fields."""
    customer_id = new_id(state.customers, "cst_")
    customer = {
        "resource": "customer",
        "id": customer_id,
        "mode": "test",
        **fields,
        "createdAt": timestamp(now),
    }
    state.customers[customer_id] = customer
    return customer


def get(state: State, customer_id: str) -> Record:
    """The stored customer; Mollie's 404 when there is none."""
    return lookup(state.customers, customer_id, "customer")


def every(state: State) -> list[Record]:
    """Every customer, newest first."""
    return newest_first(state.customers)


def render(
    state: State, customer: Record, base_url: str, docs: str = "get-customer"
) -> dict[str, Any]:
    """The customer as the API returns it, with `_links` on this sandbox's public URL."""
    url = links.customer_url(base_url, customer["id"])
    return {
        **customer,
        "_links": {
            "self": links.api(url),
            "dashboard": links.html(f"{base_url}/#{customer['id']}"),
            "mandates": links.api(f"{url}/mandates"),
            "subscriptions": links.api(f"{url}/subscriptions"),
            "payments": links.api(f"{url}/payments"),
            "documentation": links.html(DOCS + docs),
        },
    }
