"""The direct-debit flows across kinds: revoking a mandate, collecting a subscription's period."""

from datetime import datetime
from typing import Any

from shared.mollie_sandbox import mandates, payments, subscriptions
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.state import Record, State


def revoke_mandate(state: State, customer_id: str, mandate_id: str, now: datetime) -> None:
    """Make the mandate invalid and cancel the customer's live subscriptions that collect on it."""
    mandate = mandates.get(state, customer_id, mandate_id)
    mandate["status"] = "invalid"
    for subscription in subscriptions.of_customer(state, customer_id):
        if subscription["mandateId"] == mandate_id and subscription["status"] == "active":
            subscriptions.stop(subscription, now)


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
