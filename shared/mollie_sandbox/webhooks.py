"""Classic Mollie webhooks: a form POST of `id=tr_...` and nothing else; every attempt is logged."""

import logging
import threading
from typing import Any

import requests

from shared.clock import SYSTEM_CLOCK
from shared.mollie_sandbox.times import timestamp

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5
USER_AGENT = "Mollie.nl HTTP client/1.0"


class WebhookLog:
    """The webhook deliveries attempted, oldest first, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[dict[str, Any]] = []

    def record(self, delivery: dict[str, Any]) -> None:
        """Add one attempt."""
        with self._lock:
            self._deliveries.append(delivery)

    def deliveries(self) -> list[dict[str, Any]]:
        """A copy of the attempts so far."""
        with self._lock:
            return [dict(delivery) for delivery in self._deliveries]

    def clear(self) -> None:
        """Forget every attempt."""
        with self._lock:
            self._deliveries.clear()


def deliver(webhook_log: WebhookLog, url: str, payment_id: str) -> None:
    """POST the payment id to `url` once; failures are logged and recorded, never raised."""
    delivery: dict[str, Any] = {
        "url": url,
        "paymentId": payment_id,
        "at": timestamp(SYSTEM_CLOCK.now()),
    }
    try:
        response = requests.post(
            url,
            data={"id": payment_id},
            headers={"User-Agent": USER_AGENT},
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        log.warning("Webhook for %s to %s failed: %s", payment_id, url, error)
        delivery.update(status=None, error=str(error))
    else:
        log.info("Webhook for %s to %s answered %s", payment_id, url, response.status_code)
        delivery.update(status=response.status_code, error=None)
    webhook_log.record(delivery)
