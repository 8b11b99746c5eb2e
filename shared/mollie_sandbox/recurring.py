"""The direct-debit flows across kinds: revoking a mandate, collecting a subscription's period."""

from datetime import datetime
from typing import Any

from shared.mollie_sandbox import mandates, payments, subscriptions
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.state import Record, State, lookup


def revoke_mandate(state: State, customer_id: str, mandate_id: str, now: datetime) -> None:
    """Make the mandate invalid and cancel the customer's live subscriptions that collect on it."""
    mandate = mandates.get(state, customer_id, mandate_id)
    mandate["status"] = "invalid"
    for subscription in _collecting_on(state, mandate_id):
        subscriptions.stop(subscription, now)


def invalidate_mandate(state: State, mandate_id: str) -> Record:
    """The bank ends the mandate: it becomes invalid and the subscriptions on it are suspended."""
    mandate = lookup(state.mandates, mandate_id, "mandate")
    if mandate["status"] == "invalid":
        raise ApiError(422, "The mandate is already invalid.", field="status")
    mandate["status"] = "invalid"
    for subscription in _collecting_on(state, mandate_id):
        subscriptions.suspend(subscription)
    return mandate


def _collecting_on(state: State, mandate_id: str) -> list[Record]:
    """The active subscriptions that collect on the mandate."""
    return [
        subscription
        for subscription in state.subscriptions.values()
        if subscription["mandateId"] == mandate_id and subscription["status"] == "active"
    ]


def charge(state: State, subscription_id: str, now: datetime) -> Record:
    """A pending direct debit for the subscription's next period; the schedule moves on."""
    subscription = subscriptions.find(state, subscription_id)
    if subscription["status"] != "active":
        detail = f"The subscription is {subscription['status']}: only an active one is charged."
        raise ApiError(422, detail)
    mandate = state.mandates[subscription["mandateId"]]
    payment = payments.add(state, _recurring_fields(subscription, mandate), now)
    payments.change_status(payment, PaymentStatus.PENDING, now)
    collected = payments.every(state, subscriptionId=subscription_id)
    subscriptions.advance(subscription, len(collected))
    return payment


def _recurring_fields(subscription: Record, mandate: Record) -> dict[str, Any]:
    """The payment fields of one period: the subscription's amount on the mandate's account."""
    return {
        "amount": subscription["amount"],
        "description": subscription["description"],
        "method": "directdebit",
        "sequenceType": "recurring",
        "metadata": subscription["metadata"],
        "customerId": subscription["customerId"],
        "mandateId": mandate["id"],
        "subscriptionId": subscription["id"],
        "details": {**mandate["details"], "dueDate": subscription["nextPaymentDate"]},
        "webhookUrl": subscription.get("webhookUrl"),
    }
