"""Refunds of paid payments: asked for through the API, moved on by the control endpoint."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.mollie_sandbox import links, payments
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import timestamp

DOCS = "https://docs.mollie.com/reference/v2/refunds-api/"


class RefundStatus(StrEnum):
    """Mollie's refund statuses: refunded, failed and canceled are final."""

    QUEUED = "queued"
    PENDING = "pending"
    PROCESSING = "processing"
    REFUNDED = "refunded"
    FAILED = "failed"
    CANCELED = "canceled"


FINAL = frozenset({RefundStatus.REFUNDED, RefundStatus.FAILED, RefundStatus.CANCELED})
CANCELABLE = frozenset({RefundStatus.QUEUED, RefundStatus.PENDING})


def create(state: State, payment_id: str, fields: dict[str, Any], now: datetime) -> Record:
    """Store a pending refund of a paid payment, up to what it has left to refund."""
    payment = payments.get(state, payment_id)
    _refuse_unrefundable(state, payment, fields["amount"])
    refund_id = new_id(state.refunds, "re_")
    refund = {
        "resource": "refund",
        "id": refund_id,
        "amount": fields["amount"],
        "status": RefundStatus.PENDING.value,
        "createdAt": timestamp(now),
        "description": fields["description"],
        "metadata": fields["metadata"],
        "paymentId": payment_id,
    }
    state.refunds[refund_id] = refund
    return refund


def _refuse_unrefundable(state: State, payment: Record, amount: dict[str, str]) -> None:
    """Mollie's 422 for a payment that is not paid or an amount more than it has left."""
    docs = DOCS + "create-payment-refund"
    if payment["status"] != PaymentStatus.PAID:
        detail = f"The payment is {payment['status']}: only a paid payment can be refunded."
        raise ApiError(422, detail, docs=docs)
    if amount["currency"] != payment["amount"]["currency"]:
        raise ApiError(422, "The currency differs from the payment's.", field="amount", docs=docs)
    remaining = payments.amount_remaining(state, payment)
    if Decimal(amount["value"]) > remaining:
        detail = f"The amount is higher than what is left to refund ({remaining:.2f})."
        raise ApiError(422, detail, field="amount", docs=docs)


def get(state: State, payment_id: str, refund_id: str) -> Record:
    """The payment's stored refund; Mollie's 404 when the payment has none with this id."""
    payments.get(state, payment_id)
    return lookup(state.refunds, refund_id, "refund", paymentId=payment_id)


def of_payment(state: State, payment_id: str) -> list[Record]:
    """The payment's refunds, newest first."""
    payments.get(state, payment_id)
    return newest_first(state.refunds, paymentId=payment_id)


def every(state: State) -> list[Record]:
    """Every refund of the account, newest first."""
    return newest_first(state.refunds)


def cancel(state: State, payment_id: str, refund_id: str) -> None:
    """Cancel a refund through the API, which Mollie allows while it is queued or pending."""
    refund = get(state, payment_id, refund_id)
    if refund["status"] not in CANCELABLE:
        detail = f"The refund is {refund['status']} and can no longer be canceled."
        raise ApiError(422, detail, docs=DOCS + "cancel-payment-refund")
    refund["status"] = RefundStatus.CANCELED.value


def change_status(state: State, refund_id: str, status: RefundStatus) -> Record:
    """Move the refund on, as the bank does; a final refund never changes."""
    refund = lookup(state.refunds, refund_id, "refund")
    if refund["status"] in FINAL or refund["status"] == status:
        raise ApiError(422, f"The refund is already {refund['status']}.", field="status")
    refund["status"] = status.value
    return refund


def render(
    state: State, refund: Record, base_url: str, docs: str = "get-payment-refund"
) -> dict[str, Any]:
    """The refund as the API returns it, with `_links` on this sandbox's public URL."""
    payment_url = links.payment_url(base_url, refund["paymentId"])
    refund_links = {
        "self": links.api(f"{payment_url}/refunds/{refund['id']}"),
        "payment": links.api(payment_url),
        "documentation": links.html(DOCS + docs),
    }
    return {**refund, "_links": refund_links}
