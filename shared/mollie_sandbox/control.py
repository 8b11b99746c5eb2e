"""Control endpoints for tests and automation under /_sandbox (no API key needed)."""

from typing import Any

from flask import Blueprint, Response, request

from shared.mollie_sandbox import actions, mandates, payments, refunds
from shared.mollie_sandbox.api import rendered
from shared.mollie_sandbox.body import JsonBody
from shared.mollie_sandbox.errors import hal_response
from shared.mollie_sandbox.faults import MAX_DELAY_SECONDS, Fault, FaultMode
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.refunds import RefundStatus
from shared.mollie_sandbox.store import current_store

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


@bp.post("/payments/<payment_id>/status")
def set_status(payment_id: str) -> Response:
    """Make the same move as the checkout; JSON {"status", "webhook", "consumerName"...}."""
    body = JsonBody(request.get_json(silent=True))
    consumer = mandates.consumer_details(body.get("consumerName"), body.get("consumerAccount"))
    status, webhook = body.choice("status", PaymentStatus), body.flag("webhook", True)
    payment = actions.settle(
        current_store(), payment_id, status, webhook=webhook, consumer=consumer
    )
    return rendered(payments.render, payment, "get-payment")


@bp.get("/payments")
def list_payments() -> Response:
    """Every payment as the sandbox keeps it (no links, no refund amounts), newest first."""
    return hal_response(current_store().all())


@bp.get("/payments/<payment_id>")
def get_payment(payment_id: str) -> Response:
    """One payment as the sandbox keeps it; Mollie's 404 when there is none with this id."""
    return hal_response(current_store().get(payment_id))


@bp.post("/subscriptions/<subscription_id>/charge")
def charge(subscription_id: str) -> Response:
    """Collect the next period now, as Mollie does on its schedule; JSON {"status", "webhook"}."""
    body = JsonBody(request.get_json(silent=True))
    status, webhook = body.choice("status", PaymentStatus), body.flag("webhook", True)
    payment = actions.charge(current_store(), subscription_id, status, webhook=webhook)
    return rendered(payments.render, payment, "get-payment", 201)


@bp.post("/refunds/<refund_id>/status")
def set_refund_status(refund_id: str) -> Response:
    """Move a refund on, as the bank does; JSON {"status", "webhook"}."""
    body = JsonBody(request.get_json(silent=True))
    status, webhook = body.choice("status", RefundStatus), body.flag("webhook", True)
    refund = actions.settle_refund(current_store(), refund_id, status, webhook=webhook)
    return rendered(refunds.render, refund, "get-payment-refund")


@bp.post("/faults")
def add_fault() -> Response:
    """Make the next API requests fail; JSON {"mode", "count", "delay_seconds"}."""
    body = JsonBody(request.get_json(silent=True))
    mode, count = body.choice("mode", FaultMode), body.positive_integer("count") or 1
    current_store().faults.add(Fault(mode, count, _delay_seconds(body)))
    return hal_response(current_store().faults.waiting(), 201)


@bp.get("/faults")
def list_faults() -> Response:
    """The faults still waiting for API requests, first first."""
    return hal_response(current_store().faults.waiting())


@bp.delete("/faults")
def clear_faults() -> tuple[str, int]:
    """Forget every waiting fault."""
    current_store().faults.clear()
    return "", 204


@bp.get("/webhooks")
def list_webhooks() -> Response:
    """Every webhook delivery attempted, oldest first."""
    return hal_response(current_store().webhooks.deliveries())


@bp.post("/reset")
def reset() -> tuple[str, int]:
    """Forget everything: records, idempotency keys, webhook attempts and retries, waiting faults,
    the clock's offset."""
    current_store().reset()
    return "", 204


def _delay_seconds(body: JsonBody) -> float:
    """How long a delay fault holds each request: 0 to 60 seconds."""
    value: Any = body.get("delay_seconds") or 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        body.refuse("delay_seconds", "The delay_seconds must be a number.")
    if not 0 <= value <= MAX_DELAY_SECONDS:
        body.refuse("delay_seconds", f"The delay_seconds may be {MAX_DELAY_SECONDS} at most.")
    return float(value)
