"""Status changes as the outside world sees them: stored first, then announced by webhook."""

from shared.payments.sandbox.payments import PaymentStatus, is_final
from shared.payments.sandbox.store import SandboxStore
from shared.payments.sandbox.webhooks import deliver


def settle(store: SandboxStore, payment_id: str, status: PaymentStatus, *, webhook: bool) -> dict:
    """Move the payment to `status`; post its webhook when asked and the status is final."""
    payment = store.change_status(payment_id, status)
    if webhook:
        _announce(store, payment)
    return payment


def cancel(store: SandboxStore, payment_id: str) -> dict:
    """Cancel through the API and post the webhook, as Mollie does for every final status."""
    payment = store.cancel(payment_id)
    _announce(store, payment)
    return payment


def _announce(store: SandboxStore, payment: dict) -> None:
    """Post the webhook of a payment that just became final, if it has a webhook URL."""
    if is_final(payment) and payment.get("webhookUrl"):
        deliver(store.webhooks, payment["webhookUrl"], payment["id"])
