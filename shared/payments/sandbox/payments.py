"""Sandbox payment objects: creation, the status state machine and the JSON the client reads."""

import secrets
import string
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.payments.sandbox.errors import HAL_JSON, ApiError

ID_ALPHABET = string.ascii_letters + string.digits
EXPIRY = timedelta(minutes=15)
CANCELABLE_METHODS = frozenset({"pointofsale", "banktransfer", "directdebit"})
DOCS = "https://docs.mollie.com/reference/v2/payments-api/"


class PaymentStatus(StrEnum):
    """Mollie's payment statuses: open and pending may still change, the rest are final."""

    OPEN = "open"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"


CHANGEABLE = frozenset({PaymentStatus.OPEN, PaymentStatus.PENDING})
FINAL = frozenset(PaymentStatus) - CHANGEABLE
FINAL_TIMESTAMPS = {
    PaymentStatus.PAID: "paidAt",
    PaymentStatus.FAILED: "failedAt",
    PaymentStatus.CANCELED: "canceledAt",
    PaymentStatus.EXPIRED: "expiredAt",
}


def new_payment_id() -> str:
    """A Mollie-style payment id: tr_ and ten random letters or digits."""
    return "tr_" + "".join(secrets.choice(ID_ALPHABET) for _ in range(10))


def timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC to the second, as Mollie writes it (2018-03-20T09:13:37+00:00)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def new_payment(payment_id: str, fields: dict[str, Any], profile_id: str, now: datetime) -> dict:
    """A new open payment from validated create fields."""
    payment = {
        "resource": "payment",
        "id": payment_id,
        "mode": "test",
        "createdAt": timestamp(now),
        "amount": fields["amount"],
        "description": fields["description"],
        "method": fields["method"],
        "metadata": fields.get("metadata"),
        "status": PaymentStatus.OPEN.value,
        "isCancelable": fields["method"] in CANCELABLE_METHODS,
        "expiresAt": timestamp(now + EXPIRY),
        "profileId": profile_id,
        "sequenceType": fields["sequenceType"],
    }
    optional = ("customerId", "terminalId", "locale", "redirectUrl", "webhookUrl")
    payment.update({name: fields[name] for name in optional if name in fields})
    return payment


def change_status(payment: dict, status: PaymentStatus, now: datetime) -> None:
    """Move an open or pending payment to `status`; `open` leaves it as it is."""
    current = PaymentStatus(payment["status"])
    if current in FINAL:
        raise ApiError(422, f"The payment is already {current} and cannot change.", field="status")
    if status in (current, PaymentStatus.OPEN):
        return
    payment["status"] = status.value
    payment["isCancelable"] = False
    if status in FINAL:
        payment[FINAL_TIMESTAMPS[status]] = timestamp(now)
        payment.pop("expiresAt", None)


def cancel(payment: dict, now: datetime) -> None:
    """Cancel the payment through the API, which only cancelable payments allow."""
    if not payment["isCancelable"]:
        raise ApiError(422, "The payment cannot be canceled.", docs=DOCS + "cancel-payment")
    change_status(payment, PaymentStatus.CANCELED, now)


def is_final(payment: dict) -> bool:
    """Whether the payment has reached a status that never changes again."""
    return payment["status"] in FINAL


def render(payment: dict, base_url: str, docs: str = "get-payment") -> dict:
    """The payment as the API returns it, with `_links` on this sandbox's public URL."""
    payment_id = payment["id"]
    page = {"href": f"{base_url}/checkout/{payment_id}", "type": "text/html"}
    links: dict[str, dict[str, str]] = {
        "self": {"href": f"{base_url}/v2/payments/{payment_id}", "type": HAL_JSON}
    }
    if payment["status"] == PaymentStatus.OPEN:
        links[_checkout_link_name(payment)] = page
    links["dashboard"] = page
    links["documentation"] = {"href": DOCS + docs, "type": "text/html"}
    return {**payment, "_links": links}


def _checkout_link_name(payment: dict) -> str:
    """Point-of-sale and recurring test payments get a changePaymentState link, not a checkout."""
    if payment["method"] == "pointofsale" or payment["sequenceType"] == "recurring":
        return "changePaymentState"
    return "checkout"
