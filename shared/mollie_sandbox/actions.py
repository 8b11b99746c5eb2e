"""Status changes as the outside world sees them: stored first, then announced by webhook."""

from decimal import Decimal
from typing import Any

from shared.mollie_sandbox import chargebacks, expiry, payments, recurring, refunds
from shared.mollie_sandbox.mandates import ConsumerDetails
from shared.mollie_sandbox.payments import PaymentStatus, is_final
from shared.mollie_sandbox.refunds import RefundStatus
from shared.mollie_sandbox.state import Record
from shared.mollie_sandbox.store import SandboxStore


def settle(
    store: SandboxStore,
    payment_id: str,
    status: PaymentStatus,
    *,
    webhook: bool,
    consumer: ConsumerDetails | None = None,
) -> Record:
    """Move the payment to `status`; post its webhook when asked and the status is final."""
    payment = store.write(payments.settle, payment_id, status, consumer, store.clock.now())
    if webhook and is_final(payment):
        _post_webhook(store, payment)
    return payment


def cancel(store: SandboxStore, payment_id: str) -> Record:
    """Cancel through the API and post the webhook, as Mollie does for every final status."""
    payment = store.write(payments.cancel, payment_id, store.clock.now())
    _post_webhook(store, payment)
    return payment


def charge(
    store: SandboxStore, subscription_id: str, status: PaymentStatus, *, webhook: bool
) -> Record:
    """Collect the subscription's next period: a pending direct debit, then moved to `status`."""
    payment = store.write(recurring.charge, subscription_id, store.clock.now())
    return settle(store, payment["id"], status, webhook=webhook)


def settle_refund(
    store: SandboxStore, refund_id: str, status: RefundStatus, *, webhook: bool
) -> Record:
    """Move the refund on; Mollie reports refund changes on the payment's webhook."""
    refund = store.write(refunds.change_status, refund_id, status)
    if webhook:
        _post_webhook(store, store.get(refund["paymentId"]))
    return refund


def charge_back(
    store: SandboxStore, payment_id: str, value: Decimal | None, reason: Any, *, webhook: bool
) -> Record:
    """The payer's bank reverses (part of) a paid payment; Mollie calls the payment's webhook."""
    chargeback = store.write(chargebacks.create, payment_id, value, reason, store.clock.now())
    if webhook:
        _post_webhook(store, store.get(payment_id))
    return chargeback


def reverse_chargeback(
    store: SandboxStore, payment_id: str, chargeback_id: str, *, webhook: bool
) -> Record:
    """The bank gives a chargeback's money back; the payment's webhook is called (an assumption:
    Mollie documents it for a chargeback received, not for one reversed)."""
    now = store.clock.now()
    chargeback = store.write(chargebacks.reverse, payment_id, chargeback_id, now)
    if webhook:
        _post_webhook(store, store.get(payment_id))
    return chargeback


def expire_due(store: SandboxStore, *, wait: bool) -> list[Record]:
    """Expire the open payments past their expiry and post their webhooks (in the background
    unless `wait`: an API request may come from a caller that the webhook would wait for)."""
    now = store.clock.now()
    due = store.read(expiry.due, now)
    expired = store.write(expiry.expire, due, now) if due else []
    for payment in expired:
        _post_webhook(store, payment, wait=wait)
    return expired


def _post_webhook(store: SandboxStore, payment: Record, *, wait: bool = True) -> None:
    """Post the payment's webhook, if it has a webhook URL."""
    if payment.get("webhookUrl"):
        store.webhooks.send(payment["webhookUrl"], payment["id"], wait=wait)
