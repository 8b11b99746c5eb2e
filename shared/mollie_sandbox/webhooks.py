"""Classic Mollie webhooks: a form POST of `id=tr_...` and nothing else, retried on Mollie's
schedule until one is answered 2xx; every attempt is logged."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from shared.mollie_sandbox.times import timestamp

log = logging.getLogger(__name__)
# Mollie gives up after 15 s; the sandbox sooner: its first call holds up the request behind it.
TIMEOUT_SECONDS = 5
USER_AGENT = "Mollie HTTP client/1.0"
# Mollie calls at these seconds after the change: 0, 1 m, 3 m, 7 m, 15 m, 31 m, 1 h, 2 h, 4 h, 26 h.
SCHEDULE_SECONDS = (0, 60, 180, 420, 900, 1860, 3600, 7200, 14400, 93600)


@dataclass(frozen=True)
class RetryPolicy:
    """Whether failed calls are retried, and the factor on Mollie's intervals (0.001 for tests)."""

    enabled: bool = True
    scale: float = 1.0

    def wait_before(self, attempt: int) -> float | None:
        """Seconds between attempt `attempt - 1` and `attempt`; None when there is none."""
        if not self.enabled or not 2 <= attempt <= len(SCHEDULE_SECONDS):
            return None
        return (SCHEDULE_SECONDS[attempt - 1] - SCHEDULE_SECONDS[attempt - 2]) * self.scale


class WebhookSender:
    """Posts webhooks, retries failed ones in the background and keeps every attempt."""

    def __init__(self, policy: RetryPolicy, now: Callable[[], datetime]) -> None:
        self._policy = policy
        self._now = now
        self._lock = threading.Lock()
        self._deliveries: list[dict[str, Any]] = []
        self._timers: list[threading.Timer] = []
        self._generation = 0  # bumped by reset, so that retries of forgotten calls stop

    def send(self, url: str, payment_id: str, *, wait: bool = True) -> None:
        """Call now (in the background unless `wait`); retries follow when that fails."""
        if wait:
            self._attempt(url, payment_id, 1, self._generation)
        else:
            self._later(0, url, payment_id, 1, self._generation)

    def deliveries(self) -> list[dict[str, Any]]:
        """A copy of the attempts so far, oldest first."""
        with self._lock:
            return [dict(delivery) for delivery in self._deliveries]

    def reset(self) -> None:
        """Forget every attempt and drop the retries still waiting."""
        with self._lock:
            self._generation += 1
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._deliveries.clear()

    def _attempt(self, url: str, payment_id: str, attempt: int, generation: int) -> None:
        """One call; schedule the next one unless it was answered 2xx."""
        delivery = post(url, payment_id, timestamp(self._now()))
        delivery["attempt"] = attempt
        with self._lock:
            if generation != self._generation:
                return
            self._deliveries.append(delivery)
        status = delivery["status"]
        if status is None or not 200 <= status < 300:
            wait = self._policy.wait_before(attempt + 1)
            if wait is not None:
                self._later(wait, url, payment_id, attempt + 1, generation)

    def _later(
        self, seconds: float, url: str, payment_id: str, attempt: int, generation: int
    ) -> None:
        """Make attempt number `attempt` after `seconds`, in a thread of its own."""
        timer = threading.Timer(seconds, self._attempt, (url, payment_id, attempt, generation))
        timer.daemon = True
        with self._lock:
            if generation != self._generation:
                return
            self._timers = [waiting for waiting in self._timers if waiting.is_alive()]
            self._timers.append(timer)
            timer.start()


def post(url: str, payment_id: str, at: str) -> dict[str, Any]:
    """POST the payment id to `url` once; what came of it, never raised."""
    delivery: dict[str, Any] = {"url": url, "paymentId": payment_id, "at": at}
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
    return delivery
