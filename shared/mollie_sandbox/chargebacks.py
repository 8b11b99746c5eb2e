"""Chargebacks: a paid payment reversed by the payer's bank, in part or in whole, later on."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.mollie_sandbox import links, payments
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.payments import PaymentStatus
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import timestamp

DOCS = "https://docs.mollie.com/reference/v2/chargebacks-api/"


def create(
    state: State, payment_id: str, value: Decimal | None, reason: Any, now: datetime
) -> Record:
    """Store a chargeback of a paid payment: `value`, or all not yet charged back when None."""
    payment = payments.get(state, payment_id)
    if payment["status"] != PaymentStatus.PAID:
        detail = f"The payment is {payment['status']}: only a paid payment can be charged back."
        raise ApiError(422, detail, field="status")
    left = Decimal(payment["amount"]["value"]) - payments.amount_taken_back(state, payment_id)
    value = left if value is None else value
    if not Decimal("0.00") < value <= left:
        raise ApiError(
            422, f"The amount must be more than 0.00 and at most {left:.2f}.", field="amount"
        )
    currency = payment["amount"]["currency"]
    chargeback = {
        "resource": "chargeback",
        "id": new_id(state.chargebacks, "chb_"),
        "amount": payments.money(currency, value),
        "settlementAmount": payments.money(currency, -value),  # Mollie: negative, deducted
        "createdAt": timestamp(now),
        "reason": reason,
        "paymentId": payment_id,
    }
    if reason is None:
        del chargeback["reason"]
    state.chargebacks[chargeback["id"]] = chargeback
    return chargeback


def reverse(state: State, payment_id: str, chargeback_id: str, now: datetime) -> Record:
    """The bank gives the money of a chargeback back after all: it gains `reversedAt`, once."""
    chargeback = get(state, payment_id, chargeback_id)
    if "reversedAt" in chargeback:
        detail = f"The chargeback {chargeback_id} is already reversed."
        raise ApiError(422, detail, field="reversedAt")
    chargeback["reversedAt"] = timestamp(now)
    return chargeback


def get(state: State, payment_id: str, chargeback_id: str) -> Record:
    """The payment's chargeback; Mollie's 404 when the payment has none with this id."""
    payments.get(state, payment_id)
    return lookup(state.chargebacks, chargeback_id, "chargeback", paymentId=payment_id)


def of_payment(state: State, payment_id: str) -> list[Record]:
    """The payment's chargebacks, newest first."""
    payments.get(state, payment_id)
    return newest_first(state.chargebacks, paymentId=payment_id)


def every(state: State) -> list[Record]:
    """Every chargeback of the account, newest first."""
    return newest_first(state.chargebacks)


def render(
    state: State, chargeback: Record, base_url: str, docs: str = "get-payment-chargeback"
) -> dict[str, Any]:
    """The chargeback as the API returns it, with `_links` on this sandbox's public URL."""
    payment_url = links.payment_url(base_url, chargeback["paymentId"])
    chargeback_links = {
        "self": links.api(f"{payment_url}/chargebacks/{chargeback['id']}"),
        "payment": links.api(payment_url),
        "documentation": links.html(DOCS + docs),
    }
    return {**chargeback, "_links": chargeback_links}
