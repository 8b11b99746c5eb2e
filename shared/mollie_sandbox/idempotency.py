"""Mollie's idempotency rules: replay within an hour, refuse other parameters, refuse overlaps."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.mollie_sandbox.errors import ApiError

TTL_SECONDS = 3600
IDEMPOTENCY_DOCS = "https://docs.mollie.com/overview/api-idempotency"


@dataclass(frozen=True)
class StoredResponse:
    """A finished response kept for replays."""

    status: int
    body: bytes
    mimetype: str | None


@dataclass
class _Entry:
    """One key: what its request looked like, when it started, and its response once finished."""

    fingerprint: str
    started: float
    response: StoredResponse | None = None


class IdempotencyCache:
    """Idempotency keys and their responses, safe to share between request threads."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def begin(self, key: str, fingerprint: str) -> StoredResponse | None:
        """Claim `key` for a request; the stored response when this is a replay."""
        with self._lock:
            self._forget_expired()
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = _Entry(fingerprint, self._clock())
                return None
            if entry.response is None:
                raise ApiError(
                    409,
                    "Another request with this Idempotency-Key is already being processed.",
                    docs=IDEMPOTENCY_DOCS,
                )
            if entry.fingerprint != fingerprint:
                raise ApiError(
                    400, "This Idempotency-Key has already been used.", docs=IDEMPOTENCY_DOCS
                )
            return entry.response

    def finish(self, key: str, response: StoredResponse) -> None:
        """Keep the response of the request that claimed `key`."""
        with self._lock:
            self._entries[key].response = response

    def abandon(self, key: str) -> None:
        """Release `key` after its request broke down, so a retry may run."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._entries.clear()

    def _forget_expired(self) -> None:
        """Drop keys older than the time-to-live; the caller holds the lock."""
        oldest = self._clock() - self._ttl
        expired = [key for key, entry in self._entries.items() if entry.started < oldest]
        for key in expired:
            del self._entries[key]
