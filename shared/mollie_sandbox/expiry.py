"""Open payments expire once the sandbox's clock passes their `expiresAt`, as at Mollie."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from shared.mollie_sandbox.payments import PaymentStatus, change_status
from shared.mollie_sandbox.state import Record, State

log = logging.getLogger(__name__)
SWEEP_SECONDS = 1.0


def due(state: State, now: datetime) -> list[str]:
    """The ids of the open payments whose expiry moment has passed."""
    return [payment["id"] for payment in state.payments.values() if _is_due(payment, now)]


def expire(state: State, payment_ids: list[str], now: datetime) -> list[Record]:
    """Expire those of the payments that are still due; the payments it expired."""
    found = [state.payments.get(payment_id) for payment_id in payment_ids]  # gone after a reset
    expired = [payment for payment in found if payment is not None and _is_due(payment, now)]
    for payment in expired:
        change_status(payment, PaymentStatus.EXPIRED, now)
    return expired


def _is_due(payment: Record, now: datetime) -> bool:
    """Whether the payment is open and its expiry moment has passed."""
    expires_at = payment.get("expiresAt")
    return (
        payment["status"] == PaymentStatus.OPEN
        and expires_at is not None
        and datetime.fromisoformat(expires_at) <= now
    )


def start_sweeping(sweep: Callable[[], object]) -> threading.Thread:
    """Call `sweep` every SWEEP_SECONDS in a daemon thread, so that expiry needs no request."""

    def loop() -> None:
        while True:
            try:
                sweep()
            except Exception:  # a bad round (a state file that cannot be written) must not end it
                log.exception("Expiring payments failed")
            time.sleep(SWEEP_SECONDS)

    thread = threading.Thread(target=loop, name="mollie-sandbox-expiry", daemon=True)
    thread.start()
    return thread
