"""The emulated subscriptions API: a customer's subscriptions, the account's, and their payments."""

from flask import Response, request

from shared.mollie_sandbox import payments, subscriptions
from shared.mollie_sandbox.api import api_blueprint, idempotent, listed, rendered
from shared.mollie_sandbox.store import current_store
from shared.mollie_sandbox.validation import subscription_fields
from shared.timeutil import local_today

bp = api_blueprint("sandbox_api_subscriptions")
DOCS = subscriptions.DOCS


@bp.post("/customers/<customer_id>/subscriptions")
@idempotent
def create_subscription(customer_id: str) -> Response:
    """Create an active subscription on the customer's valid mandate."""
    now = current_store().clock.now()
    fields = subscription_fields(request.get_json(silent=True), local_today(now))
    subscription = current_store().write(subscriptions.create, customer_id, fields, now)
    return rendered(subscriptions.render, subscription, "create-subscription", 201)


@bp.get("/customers/<customer_id>/subscriptions/<subscription_id>")
def get_subscription(customer_id: str, subscription_id: str) -> Response:
    """One subscription of the customer."""
    subscription = current_store().read(subscriptions.get, customer_id, subscription_id)
    return rendered(subscriptions.render, subscription, "get-subscription")


@bp.delete("/customers/<customer_id>/subscriptions/<subscription_id>")
@idempotent
def cancel_subscription(customer_id: str, subscription_id: str) -> Response:
    """Cancel a subscription; Mollie answers with the canceled subscription."""
    canceled = current_store().write(
        subscriptions.cancel, customer_id, subscription_id, current_store().clock.now()
    )
    return rendered(subscriptions.render, canceled, "cancel-subscription")


@bp.get("/customers/<customer_id>/subscriptions")
def list_customer_subscriptions(customer_id: str) -> Response:
    """The customer's subscriptions, newest first."""
    theirs = current_store().read(subscriptions.of_customer, customer_id)
    return listed("subscriptions", theirs, subscriptions.render, DOCS + "list-subscriptions")


@bp.get("/subscriptions")
def list_all_subscriptions() -> Response:
    """Every subscription of the account, newest first."""
    every = current_store().read(subscriptions.every)
    return listed("subscriptions", every, subscriptions.render, DOCS + "list-all-subscriptions")


@bp.get("/customers/<customer_id>/subscriptions/<subscription_id>/payments")
def list_subscription_payments(customer_id: str, subscription_id: str) -> Response:
    """The payments the subscription has collected, newest first."""
    made = current_store().read(subscriptions.payments_of, customer_id, subscription_id)
    return listed("payments", made, payments.render, DOCS + "list-subscription-payments")
