"""Status changes as the outside world sees them: stored first, then announced by webhook."""

from shared.clock import SYSTEM_CLOCK
from shared.mollie_sandbox import payments, recurring, refunds
from shared.mollie_sandbox.mandates import ConsumerDetails
from shared.mollie_sandbox.payments import PaymentStatus, is_final
from shared.mollie_sandbox.refunds import RefundStatus
from shared.mollie_sandbox.state import Record
from shared.mollie_sandbox.store import SandboxStore
from shared.mollie_sandbox.webhooks import deliver


def settle(
    store: SandboxStore,
    payment_id: str,
    status: PaymentStatus,
    *,
    webhook: bool,
    consumer: ConsumerDetails | None = None,
) -> Record:
    """Move the payment to `status`; post its webhook when asked and the status is final."""
    payment = store.write(payments.settle, payment_id, status, consumer, SYSTEM_CLOCK.now())
    if webhook and is_final(payment):
        _post_webhook(store, payment)
    return payment


def cancel(store: SandboxStore, payment_id: str) -> Record:
    """Cancel through the API and post the webhook, as Mollie does for every final status."""
    payment = store.write(payments.cancel, payment_id, SYSTEM_CLOCK.now())
    _post_webhook(store, payment)
    return payment


def charge(
    store: SandboxStore, subscription_id: str, status: PaymentStatus, *, webhook: bool
) -> Record:
    """Collect the subscription's next period: a pending direct debit, then moved to `status`."""
    payment = store.write(recurring.charge, subscription_id, SYSTEM_CLOCK.now())
    return settle(store, payment["id"], status, webhook=webhook)


def settle_refund(
    store: SandboxStore, refund_id: str, status: RefundStatus, *, webhook: bool
) -> Record:
    """Move the refund on; Mollie reports refund changes on the payment's webhook."""
    refund = store.write(refunds.change_status, refund_id, status)
    if webhook:
        _post_webhook(store, store.get(refund["paymentId"]))
    return refund


def _post_webhook(store: SandboxStore, payment: Record) -> None:
    """Post the payment's webhook, if it has a webhook URL."""
    if payment.get("webhookUrl"):
        deliver(store.webhooks, payment["webhookUrl"], payment["id"])
