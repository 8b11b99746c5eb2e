"""The sandbox's state behind one lock, optionally mirrored to a JSON file."""

import copy
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar, cast

from flask import current_app

from shared.mollie_sandbox import payments, state, terminals
from shared.mollie_sandbox.clock import SandboxClock
from shared.mollie_sandbox.faults import FaultQueue
from shared.mollie_sandbox.idempotency import IdempotencyCache
from shared.mollie_sandbox.state import Record, State
from shared.mollie_sandbox.webhooks import RetryPolicy, WebhookSender

EXTENSION_KEY = "mollie_sandbox"
DEFAULT_RETRIES = RetryPolicy()
T = TypeVar("T")
P = ParamSpec("P")


class SandboxStore:
    """Records, idempotency keys, webhooks, waiting faults and the clock; all thread-safe."""

    def __init__(
        self,
        profile_id: str,
        state_file: str | os.PathLike[str] | None = None,
        terminal_settings: Iterable[Mapping[str, str]] = terminals.DEFAULT_TERMINALS,
        retries: RetryPolicy = DEFAULT_RETRIES,
    ) -> None:
        self.profile_id = profile_id
        self.clock = SandboxClock()
        self.idempotency = IdempotencyCache()
        self.webhooks = WebhookSender(retries, self.clock.now)
        self.faults = FaultQueue()
        self._terminals = terminals.preset(terminal_settings, profile_id)
        self._state_file = Path(state_file) if state_file else None
        self._lock = threading.RLock()
        self._state = self._load()

    def read(
        self, query: Callable[Concatenate[State, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """A copy of what `query(state, ...)` returns, read under the lock."""
        with self._lock:
            return copy.deepcopy(query(self._state, *args, **kwargs))

    def write(
        self, change: Callable[Concatenate[State, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `change(state, ...)` on a draft; keep and save it only when no error is raised."""
        with self._lock:
            draft = copy.deepcopy(self._state)
            result = change(draft, *args, **kwargs)
            self._state = draft
            self._save()
            return copy.deepcopy(result)

    def find(self, payment_id: str) -> Record | None:
        """A copy of the payment, or None when there is none with this id."""
        return self.read(lambda current: current.payments.get(payment_id))

    def get(self, payment_id: str) -> Record:
        """A copy of the payment; Mollie's 404 when there is none."""
        return self.read(payments.get, payment_id)

    def all(self) -> list[Record]:
        """Copies of every payment, newest first."""
        return self.read(payments.every)

    def reset(self) -> None:
        """Forget all records, idempotency keys, webhook attempts and retries, waiting faults and
        the clock's offset."""
        with self._lock:
            self._state = State(self.profile_id, self._terminals)
            self.idempotency.clear()
            self.webhooks.reset()
            self.faults.clear()
            self.clock.reset()
            self._save()

    def _load(self) -> State:
        """The records in the state file, if there is one."""
        if self._state_file is None or not self._state_file.exists():
            return State(self.profile_id, self._terminals)
        saved = json.loads(self._state_file.read_text(encoding="utf-8"))
        return state.restored(saved, self.profile_id, self._terminals)

    def _save(self) -> None:
        """Write the records to the state file atomically; the caller holds the lock."""
        if self._state_file is None:
            return
        temporary = self._state_file.with_name(self._state_file.name + ".tmp")
        temporary.write_text(json.dumps(state.saved(self._state), indent=2), encoding="utf-8")
        os.replace(temporary, self._state_file)


def current_store() -> SandboxStore:
    """The store of the sandbox app handling this request."""
    return cast(SandboxStore, current_app.extensions[EXTENSION_KEY])
