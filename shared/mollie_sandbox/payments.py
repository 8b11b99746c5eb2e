"""Sandbox payment objects: creation, the status state machine and the JSON the client reads."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.mollie_sandbox import links, mandates, methods, terminals
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.state import Record, State, lookup, new_id, newest_first
from shared.mollie_sandbox.times import timestamp

CANCELABLE_METHODS = frozenset({"pointofsale", "banktransfer", "directdebit"})
OPTIONAL_FIELDS = (
    "customerId", "mandateId", "subscriptionId", "terminalId", "details", "locale",
    "redirectUrl", "webhookUrl",
)  # fmt: skip
UNREFUNDED = frozenset({"failed", "canceled"})  # refund statuses that give no money back
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


def create(state: State, fields: dict[str, Any], now: datetime) -> Record:
    """Store a new open payment, refusing unknown customers and unusable terminals."""
    customer_id = fields.get("customerId")
    if customer_id is not None and customer_id not in state.customers:
        detail = f"The customer {customer_id} does not exist."
        raise ApiError(422, detail, field="customerId", docs=DOCS + "create-payment")
    if fields["method"] == "pointofsale":
        terminals.require_active(state, fields["terminalId"])
    return add(state, fields, now)


def add(state: State, fields: dict[str, Any], now: datetime) -> Record:
    """Store a new open payment made from fields known to be valid."""
    payment = new_payment(new_id(state.payments, "tr_"), fields, state.profile_id, now)
    state.payments[payment["id"]] = payment
    return payment


def new_payment(payment_id: str, fields: dict[str, Any], profile_id: str, now: datetime) -> Record:
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
        "profileId": profile_id,
        "sequenceType": fields["sequenceType"],
    }
    expiry = methods.expiry(fields["method"], fields["sequenceType"])
    if expiry is not None:
        payment["expiresAt"] = timestamp(now + expiry)
    payment.update({name: fields[name] for name in OPTIONAL_FIELDS if fields.get(name) is not None})
    return payment


def get(state: State, payment_id: str) -> Record:
    """The stored payment; Mollie's 404 when there is none."""
    return lookup(state.payments, payment_id, "payment")


def every(state: State, /, **matching: str) -> list[Record]:
    """The payments whose fields equal `matching` (all when none are given), newest first."""
    return newest_first(state.payments, **matching)


def settle(
    state: State,
    payment_id: str,
    status: PaymentStatus,
    consumer: mandates.ConsumerDetails | None,
    now: datetime,
) -> Record:
    """Move the payment to `status`; a first payment that becomes paid signs a mandate."""
    payment = get(state, payment_id)
    change_status(payment, status, now)  # refuses to move a payment that is already paid
    if payment["status"] == PaymentStatus.PAID and payment["sequenceType"] == "first":
        details = consumer or mandates.consumer_details()
        mandate = mandates.create(state, payment["customerId"], details, now)
        payment["mandateId"] = mandate["id"]
        payment["details"] = dict(details)
    return payment


def change_status(payment: Record, status: PaymentStatus, now: datetime) -> None:
    """Move an open or pending payment to `status`; `open` leaves it as it is."""
    current = PaymentStatus(payment["status"])
    if current in FINAL:
        raise ApiError(422, f"The payment is already {current} and cannot change.", field="status")
    if status in (current, PaymentStatus.OPEN):
        return
    payment["status"] = status.value
    payment["isCancelable"] = False
    payment.pop("expiresAt", None)  # only an open payment expires
    if status in FINAL:
        payment[FINAL_TIMESTAMPS[status]] = timestamp(now)


def cancel(state: State, payment_id: str, now: datetime) -> Record:
    """Cancel the payment through the API, which only cancelable payments allow."""
    payment = get(state, payment_id)
    if not payment["isCancelable"]:
        raise ApiError(422, "The payment cannot be canceled.", docs=DOCS + "cancel-payment")
    change_status(payment, PaymentStatus.CANCELED, now)
    return payment


def is_final(payment: Record) -> bool:
    """Whether the payment has reached a status that never changes again."""
    return payment["status"] in FINAL


def amount_remaining(state: State, payment: Record) -> Decimal:
    """What may still be refunded: the amount less the refunds that did not fail or get canceled
    and less what the bank holds of it (no payment is given back twice)."""
    taken = _amount_refunded(state, payment["id"]) + amount_taken_back(state, payment["id"])
    return Decimal(payment["amount"]["value"]) - taken


def amount_charged_back(state: State, payment_id: str) -> Decimal:
    """The total of the payment's chargebacks, reversed ones too (Mollie's amountChargedBack:
    its documentation does not say that a reversal lowers it)."""
    return _total(newest_first(state.chargebacks, paymentId=payment_id))


def amount_taken_back(state: State, payment_id: str) -> Decimal:
    """What the bank holds of the payment: its chargebacks not reversed."""
    charged_back = newest_first(state.chargebacks, paymentId=payment_id)
    return _total(c for c in charged_back if "reversedAt" not in c)


def _total(chargebacks: Iterable[Record]) -> Decimal:
    """The sum of the chargebacks' amounts."""
    return sum((Decimal(c["amount"]["value"]) for c in chargebacks), Decimal("0.00"))


def _amount_refunded(state: State, payment_id: str) -> Decimal:
    """The total of the payment's refunds that did not fail or get canceled."""
    counted = [
        Decimal(refund["amount"]["value"])
        for refund in newest_first(state.refunds, paymentId=payment_id)
        if refund["status"] not in UNREFUNDED
    ]
    return sum(counted, Decimal("0.00"))


def render(
    state: State, payment: Record, base_url: str, docs: str = "get-payment"
) -> dict[str, Any]:
    """The payment as the API returns it, with `_links` on this sandbox's public URL."""
    page = links.html(f"{base_url}/checkout/{payment['id']}")
    payment_links = {"self": links.api(links.payment_url(base_url, payment["id"]))}
    payment_links.update(_test_mode_links(payment, page))
    payment_links.update(_related_links(state, payment, base_url))
    payment_links["dashboard"] = page
    payment_links["documentation"] = links.html(DOCS + docs)
    return {**payment, **_paid_amounts(state, payment), "_links": payment_links}


def _paid_amounts(state: State, payment: Record) -> dict[str, dict[str, str]]:
    """For a paid payment: refunded, still refundable, and charged back (only when not zero)."""
    if payment["status"] != PaymentStatus.PAID:
        return {}
    currency = payment["amount"]["currency"]
    amounts = {
        "amountRefunded": money(currency, _amount_refunded(state, payment["id"])),
        "amountRemaining": money(currency, amount_remaining(state, payment)),
    }
    charged_back = amount_charged_back(state, payment["id"])
    if charged_back:
        amounts["amountChargedBack"] = money(currency, charged_back)
    return amounts


def money(currency: str, value: Decimal) -> dict[str, str]:
    """A Mollie amount object: the value a string with two decimals."""
    return {"currency": currency, "value": f"{value:.2f}"}


def _related_links(state: State, payment: Record, base_url: str) -> dict[str, dict[str, str]]:
    """Links to the payment's refunds, chargebacks, customer, mandate and subscription, if any."""
    related: dict[str, dict[str, str]] = {}
    for kind in ("refunds", "chargebacks"):
        if newest_first(getattr(state, kind), paymentId=payment["id"]):
            related[kind] = links.api(f"{links.payment_url(base_url, payment['id'])}/{kind}")
    customer_id = payment.get("customerId")
    if customer_id is None:
        return related
    related["customer"] = links.api(links.customer_url(base_url, customer_id))
    if "mandateId" in payment:
        url = links.mandate_url(base_url, customer_id, payment["mandateId"])
        related["mandate"] = links.api(url)
    if "subscriptionId" in payment:
        url = links.subscription_url(base_url, customer_id, payment["subscriptionId"])
        related["subscription"] = links.api(url)
    return related


def _test_mode_links(payment: Record, page: dict[str, str]) -> dict[str, dict[str, str]]:
    """The page where the test payer decides: changePaymentState (terminal, recurring), checkout."""
    if payment["method"] == "pointofsale" or payment["sequenceType"] == "recurring":
        return {} if is_final(payment) else {"changePaymentState": page}
    return {"checkout": page} if payment["status"] == PaymentStatus.OPEN else {}
