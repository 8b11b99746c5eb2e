"""The sandbox's state: payments in a dict behind a lock, optionally mirrored to a JSON file."""

import copy
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from shared.payments.sandbox import payments
from shared.payments.sandbox.errors import ApiError
from shared.payments.sandbox.idempotency import IdempotencyCache
from shared.payments.sandbox.payments import PaymentStatus
from shared.payments.sandbox.webhooks import WebhookLog
from shared.timeutil import utcnow

EXTENSION_KEY = "mollie_sandbox"


@dataclass(frozen=True)
class Page:
    """One page of payments, newest first, with the ids that start its neighbours."""

    payments: list[dict]
    previous_from: str | None
    next_from: str | None


class SandboxStore:
    """Payments, idempotency keys and webhook attempts; every method is thread-safe."""

    def __init__(self, profile_id: str, state_file: str | os.PathLike | None = None) -> None:
        self.profile_id = profile_id
        self.idempotency = IdempotencyCache()
        self.webhooks = WebhookLog()
        self._state_file = Path(state_file) if state_file else None
        self._lock = threading.RLock()
        self._payments: dict[str, dict] = self._load()

    def create(self, fields: dict[str, Any]) -> dict:
        """Store a new open payment made from validated fields."""
        with self._lock:
            payment_id = payments.new_payment_id()
            while payment_id in self._payments:
                payment_id = payments.new_payment_id()
            payment = payments.new_payment(payment_id, fields, self.profile_id, utcnow())
            self._payments[payment_id] = payment
            self._save()
            return copy.deepcopy(payment)

    def find(self, payment_id: str) -> dict | None:
        """A copy of the payment, or None when there is none with this id."""
        with self._lock:
            return copy.deepcopy(self._payments.get(payment_id))

    def get(self, payment_id: str) -> dict:
        """A copy of the payment; Mollie's 404 when there is none."""
        payment = self.find(payment_id)
        if payment is None:
            raise _not_found(payment_id)
        return payment

    def all(self) -> list[dict]:
        """Copies of every payment, newest first."""
        with self._lock:
            return copy.deepcopy(list(reversed(self._payments.values())))

    def page(self, from_id: str | None, limit: int) -> Page:
        """Up to `limit` payments, newest first, starting at `from_id` (included)."""
        with self._lock:
            ids = list(reversed(self._payments))
            if from_id is not None and from_id not in ids:
                raise ApiError(400, f"The 'from' payment {from_id} does not exist.", field="from")
            start = ids.index(from_id) if from_id else 0
            selected = [copy.deepcopy(self._payments[pid]) for pid in ids[start : start + limit]]
            previous_from = ids[max(start - limit, 0)] if start > 0 else None
            next_from = ids[start + limit] if start + limit < len(ids) else None
            return Page(selected, previous_from, next_from)

    def change_status(self, payment_id: str, status: PaymentStatus) -> dict:
        """Move the payment to `status` (see payments.change_status) and return a copy."""
        return self._update(
            payment_id, lambda payment: payments.change_status(payment, status, utcnow())
        )

    def cancel(self, payment_id: str) -> dict:
        """Cancel the payment as the API's DELETE does, and return a copy."""
        return self._update(payment_id, lambda payment: payments.cancel(payment, utcnow()))

    def reset(self) -> None:
        """Forget all payments, idempotency keys and webhook attempts."""
        with self._lock:
            self._payments.clear()
            self.idempotency.clear()
            self.webhooks.clear()
            self._save()

    def _update(self, payment_id: str, change: Callable[[dict], object]) -> dict:
        """Apply `change` to the stored payment under the lock, then persist."""
        with self._lock:
            if payment_id not in self._payments:
                raise _not_found(payment_id)
            payment = copy.deepcopy(self._payments[payment_id])
            change(payment)
            self._payments[payment_id] = payment
            self._save()
            return copy.deepcopy(payment)

    def _load(self) -> dict[str, dict]:
        """The payments in the state file, if there is one."""
        if self._state_file is None or not self._state_file.exists():
            return {}
        state = json.loads(self._state_file.read_text(encoding="utf-8"))
        return {payment["id"]: payment for payment in state["payments"]}

    def _save(self) -> None:
        """Write the payments to the state file atomically; the caller holds the lock."""
        if self._state_file is None:
            return
        temporary = self._state_file.with_name(self._state_file.name + ".tmp")
        state = {"payments": list(self._payments.values())}
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(temporary, self._state_file)


def _not_found(payment_id: str) -> ApiError:
    """Mollie's 404 for an unknown payment id."""
    return ApiError(404, f"No payment exists with token {payment_id}.")


def current_store() -> SandboxStore:
    """The store of the sandbox app handling this request."""
    return current_app.extensions[EXTENSION_KEY]
