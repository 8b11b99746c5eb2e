"""Subscriptions: a customer's schedule of direct debits on a valid mandate."""

from datetime import date, datetime
from typing import Any

from shared.mollie_sandbox import customers, intervals, links, mandates
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import timestamp

ENDED = frozenset({"canceled", "completed"})
DOCS = "https://docs.mollie.com/reference/v2/subscriptions-api/"


def create(state: State, customer_id: str, fields: dict[str, Any], now: datetime) -> Record:
    """Store an active subscription of the customer, collecting on a valid mandate."""
    customers.get(state, customer_id)
    mandate = mandates.valid_one(state, customer_id, fields["mandateId"])
    _refuse_reused_description(state, customer_id, fields["description"])
    subscription_id = new_id(state.subscriptions, "sub_")
    subscription = {
        "resource": "subscription",
        "id": subscription_id,
        "mode": "test",
        "createdAt": timestamp(now),
        "status": "active",
        "amount": fields["amount"],
        "times": fields["times"],
        "timesRemaining": fields["times"],
        "interval": fields["interval"],
        "startDate": fields["startDate"],
        "nextPaymentDate": fields["startDate"],
        "description": fields["description"],
        "method": fields["method"],
        "mandateId": mandate["id"],
        "webhookUrl": fields["webhookUrl"],
        "metadata": fields["metadata"],
        "customerId": customer_id,
    }
    state.subscriptions[subscription_id] = _without_empty_schedule_fields(subscription)
    return state.subscriptions[subscription_id]


def _refuse_reused_description(state: State, customer_id: str, description: str) -> None:
    """Mollie refuses a description that another live subscription of the customer has."""
    for other in of_customer(state, customer_id):
        if other["description"] == description and other["status"] != "canceled":
            detail = f"The customer already has a subscription described '{description}'."
            raise ApiError(422, detail, field="description", docs=DOCS + "create-subscription")


def _without_empty_schedule_fields(subscription: Record) -> Record:
    """Leave out times, timesRemaining and webhookUrl when not set, as Mollie does."""
    optional = ("times", "timesRemaining", "webhookUrl")
    return {k: v for k, v in subscription.items() if k not in optional or v is not None}


def get(state: State, customer_id: str, subscription_id: str) -> Record:
    """The customer's stored subscription; Mollie's 404 when the customer has none with this id."""
    customers.get(state, customer_id)
    return lookup(state.subscriptions, subscription_id, "subscription", customerId=customer_id)


def find(state: State, subscription_id: str) -> Record:
    """Any customer's stored subscription; Mollie's 404 when there is none with this id."""
    return lookup(state.subscriptions, subscription_id, "subscription")


def of_customer(state: State, customer_id: str) -> list[Record]:
    """The customer's subscriptions, newest first."""
    customers.get(state, customer_id)
    return newest_first(state.subscriptions, customerId=customer_id)


def every(state: State) -> list[Record]:
    """Every subscription of the account, newest first."""
    return newest_first(state.subscriptions)


def payments_of(state: State, customer_id: str, subscription_id: str) -> list[Record]:
    """The payments the subscription has made, newest first."""
    get(state, customer_id, subscription_id)
    return newest_first(state.payments, subscriptionId=subscription_id)


def cancel(state: State, customer_id: str, subscription_id: str, now: datetime) -> Record:
    """Cancel the subscription through the API; an ended one cannot be canceled again."""
    subscription = get(state, customer_id, subscription_id)
    if subscription["status"] in ENDED:
        detail = f"The subscription is already {subscription['status']}."
        raise ApiError(422, detail, docs=DOCS + "cancel-subscription")
    stop(subscription, now)
    return subscription


def end_at_mollie(state: State, subscription_id: str, status: str, now: datetime) -> Record:
    """End a live subscription as Mollie does on its own: `canceled` (in the dashboard) or
    `suspended` (its mandate became invalid); Mollie sends no webhook for either."""
    subscription = find(state, subscription_id)
    if subscription["status"] in ENDED or subscription["status"] == status:
        detail = f"The subscription is already {subscription['status']}."
        raise ApiError(422, detail, field="status")
    if status == "canceled":
        stop(subscription, now)
    else:
        suspend(subscription)
    return subscription


def suspend(subscription: Record) -> None:
    """Stop collecting until a valid mandate comes back: no next payment date meanwhile."""
    subscription["status"] = "suspended"
    subscription.pop("nextPaymentDate", None)


def stop(subscription: Record, now: datetime) -> None:
    """Cancel the subscription now, whoever asks."""
    _end(subscription, "canceled")
    subscription["canceledAt"] = timestamp(now)


def _end(subscription: Record, status: str) -> None:
    """End the schedule: no next payment any more."""
    subscription["status"] = status
    subscription.pop("nextPaymentDate", None)


def advance(subscription: Record, periods_collected: int) -> None:
    """Move the next payment date on from the start date, so a clamped day comes back later."""
    interval = intervals.parse(subscription["interval"])
    start = date.fromisoformat(subscription["startDate"])
    subscription["nextPaymentDate"] = interval.after(start, periods_collected).isoformat()
    if "timesRemaining" in subscription:
        subscription["timesRemaining"] -= 1
        if subscription["timesRemaining"] == 0:
            _end(subscription, "completed")


def render(
    state: State, subscription: Record, base_url: str, docs: str = "get-subscription"
) -> dict[str, Any]:
    """The subscription as the API returns it; the client reads the customer id from its link."""
    customer_id, subscription_id = subscription["customerId"], subscription["id"]
    url = links.subscription_url(base_url, customer_id, subscription_id)
    subscription_links = {
        "self": links.api(url),
        "customer": links.api(links.customer_url(base_url, customer_id)),
    }
    if newest_first(state.payments, subscriptionId=subscription_id):
        subscription_links["payments"] = links.api(f"{url}/payments")
    subscription_links["documentation"] = links.html(DOCS + docs)
    return {**subscription, "_links": subscription_links}
