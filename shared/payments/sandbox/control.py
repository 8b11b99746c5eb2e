"""Control endpoints for tests and automation under /_sandbox (no API key needed)."""

from typing import Any

from flask import Blueprint, Response, request

from shared.payments.sandbox import actions, payments
from shared.payments.sandbox.api import public_base_url
from shared.payments.sandbox.errors import ApiError, hal_response
from shared.payments.sandbox.payments import PaymentStatus
from shared.payments.sandbox.store import current_store

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


@bp.post("/payments/<payment_id>/status")
def set_status(payment_id: str) -> Response:
    """Make the same move as the checkout; JSON {"status": ..., "webhook": true|false}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object with a status.")
    status, webhook = _status(body.get("status")), body.get("webhook", True)
    if not isinstance(webhook, bool):
        raise ApiError(422, "The webhook flag must be true or false.", field="webhook")
    payment = actions.settle(current_store(), payment_id, status, webhook=webhook)
    return hal_response(payments.render(payment, public_base_url()))


@bp.get("/webhooks")
def list_webhooks() -> Response:
    """Every webhook delivery attempted, oldest first."""
    return hal_response(current_store().webhooks.deliveries())


@bp.post("/reset")
def reset() -> tuple[str, int]:
    """Forget everything: payments, idempotency keys, webhook attempts."""
    current_store().reset()
    return "", 204


def _status(value: Any) -> PaymentStatus:
    """The requested status, one of Mollie's payment statuses."""
    try:
        return PaymentStatus(value)
    except ValueError:
        allowed = ", ".join(PaymentStatus)
        raise ApiError(422, f"The status must be one of: {allowed}.", field="status") from None
