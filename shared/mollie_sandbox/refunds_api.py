"""The emulated refunds API: a payment's refunds and every refund of the account."""

from flask import Response, request

from shared.mollie_sandbox import refunds
from shared.mollie_sandbox.api import api_blueprint, idempotent, listed, rendered
from shared.mollie_sandbox.store import current_store
from shared.mollie_sandbox.validation import refund_fields

bp = api_blueprint("sandbox_api_refunds")


@bp.post("/payments/<payment_id>/refunds")
@idempotent
def create_refund(payment_id: str) -> Response:
    """Refund part or all of a paid payment."""
    fields = refund_fields(request.get_json(silent=True))
    refund = current_store().write(refunds.create, payment_id, fields, current_store().clock.now())
    return rendered(refunds.render, refund, "create-payment-refund", 201)


@bp.get("/payments/<payment_id>/refunds/<refund_id>")
def get_refund(payment_id: str, refund_id: str) -> Response:
    """One refund of the payment."""
    refund = current_store().read(refunds.get, payment_id, refund_id)
    return rendered(refunds.render, refund, "get-payment-refund")


@bp.delete("/payments/<payment_id>/refunds/<refund_id>")
@idempotent
def cancel_refund(payment_id: str, refund_id: str) -> tuple[str, int]:
    """Cancel a refund while it is queued or pending."""
    current_store().write(refunds.cancel, payment_id, refund_id)
    return "", 204


@bp.get("/payments/<payment_id>/refunds")
def list_payment_refunds(payment_id: str) -> Response:
    """The payment's refunds, newest first."""
    theirs = current_store().read(refunds.of_payment, payment_id)
    return listed("refunds", theirs, refunds.render, refunds.DOCS + "list-payment-refunds")


@bp.get("/refunds")
def list_all_refunds() -> Response:
    """Every refund of the account, newest first."""
    every = current_store().read(refunds.every)
    return listed("refunds", every, refunds.render, refunds.DOCS + "list-all-refunds")
