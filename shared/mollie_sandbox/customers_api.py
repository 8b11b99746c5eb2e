"""The emulated customers and mandates API: /v2/customers and a customer's mandates."""

from flask import Response, request

from shared.mollie_sandbox import customers, mandates, recurring
from shared.mollie_sandbox.api import api_blueprint, idempotent, listed, rendered
from shared.mollie_sandbox.store import current_store
from shared.mollie_sandbox.validation import customer_fields

bp = api_blueprint("sandbox_api_customers")


@bp.post("/customers")
@idempotent
def create_customer() -> Response:
    """Create a customer."""
    fields = customer_fields(request.get_json(silent=True))
    customer = current_store().write(customers.create, fields, current_store().clock.now())
    return rendered(customers.render, customer, "create-customer", 201)


@bp.get("/customers/<customer_id>")
def get_customer(customer_id: str) -> Response:
    """One customer."""
    customer = current_store().read(customers.get, customer_id)
    return rendered(customers.render, customer, "get-customer")


@bp.get("/customers")
def list_customers() -> Response:
    """Customers newest first, a page at a time."""
    every = current_store().read(customers.every)
    return listed("customers", every, customers.render, customers.DOCS + "list-customers")


@bp.get("/customers/<customer_id>/mandates")
def list_mandates(customer_id: str) -> Response:
    """The customer's mandates, newest first."""
    theirs = current_store().read(mandates.of_customer, customer_id)
    return listed("mandates", theirs, mandates.render, mandates.DOCS + "list-mandates")


@bp.get("/customers/<customer_id>/mandates/<mandate_id>")
def get_mandate(customer_id: str, mandate_id: str) -> Response:
    """One mandate of the customer."""
    mandate = current_store().read(mandates.get, customer_id, mandate_id)
    return rendered(mandates.render, mandate, "get-mandate")


@bp.delete("/customers/<customer_id>/mandates/<mandate_id>")
@idempotent
def revoke_mandate(customer_id: str, mandate_id: str) -> tuple[str, int]:
    """Revoke a mandate; the subscriptions collecting on it are canceled."""
    current_store().write(
        recurring.revoke_mandate, customer_id, mandate_id, current_store().clock.now()
    )
    return "", 204
