"""The emulated payments API: /v2/payments and a customer's payments."""

from flask import Response, request

from shared.mollie_sandbox import actions, customers, payments
from shared.mollie_sandbox.api import api_blueprint, idempotent, listed, rendered
from shared.mollie_sandbox.store import current_store
from shared.mollie_sandbox.validation import payment_fields

bp = api_blueprint("sandbox_api_payments")


@bp.post("/payments")
@idempotent
def create_payment() -> Response:
    """Create an open payment."""
    fields = payment_fields(request.get_json(silent=True))
    payment = current_store().write(payments.create, fields, current_store().clock.now())
    return rendered(payments.render, payment, "create-payment", 201)


@bp.get("/payments/<payment_id>")
def get_payment(payment_id: str) -> Response:
    """One payment."""
    return rendered(payments.render, current_store().get(payment_id), "get-payment")


@bp.delete("/payments/<payment_id>")
@idempotent
def cancel_payment(payment_id: str) -> Response:
    """Cancel a payment while it is cancelable."""
    payment = actions.cancel(current_store(), payment_id)
    return rendered(payments.render, payment, "cancel-payment")


@bp.get("/payments")
def list_payments() -> Response:
    """Payments newest first, a page at a time (`from` and `limit`)."""
    every = current_store().read(payments.every)
    return listed("payments", every, payments.render, payments.DOCS + "list-payments")


@bp.post("/customers/<customer_id>/payments")
@idempotent
def create_customer_payment(customer_id: str) -> Response:
    """Create an open payment of the customer (a first payment, typically)."""
    current_store().read(customers.get, customer_id)
    fields = payment_fields(request.get_json(silent=True), customer_id=customer_id)
    payment = current_store().write(payments.create, fields, current_store().clock.now())
    return rendered(payments.render, payment, "create-payment", 201)


@bp.get("/customers/<customer_id>/payments")
def list_customer_payments(customer_id: str) -> Response:
    """The customer's payments, newest first."""
    current_store().read(customers.get, customer_id)
    theirs = current_store().read(payments.every, customerId=customer_id)
    return listed("payments", theirs, payments.render, customers.DOCS + "list-customer-payments")
