"""The sandbox's own time: the machine's time plus an offset that tests move forward."""

import threading
from datetime import datetime, timedelta

from shared.clock import SYSTEM_CLOCK
from shared.mollie_sandbox.times import timestamp


class SandboxClock:
    """The moment the sandbox lives at, moved by the clock control; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta()

    def now(self) -> datetime:
        """The sandbox's current moment, timezone-aware UTC."""
        with self._lock:
            return SYSTEM_CLOCK.now() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the sandbox's time forward by `seconds`."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        """Make it `moment` in the sandbox from now on."""
        with self._lock:
            self._offset = moment - SYSTEM_CLOCK.now()

    def reset(self) -> None:
        """Back to the machine's time."""
        with self._lock:
            self._offset = timedelta()

    def reading(self) -> dict[str, object]:
        """The clock as the control endpoint shows it: now and the offset in seconds."""
        with self._lock:
            offset = self._offset
        return {
            "now": timestamp(SYSTEM_CLOCK.now() + offset),
            "offsetSeconds": offset.total_seconds(),
        }
