"""One clock for the whole system: services, threads, throttles and tokens read the time here.

The apps hold a `Clock` and hand its readings to the services (`now`), or the clock itself to
what runs in a loop. The system clock reads the machine's time; a `ManualClock` stands still
until told to move, so that tests move time instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

from shared.timeutil import local_today

# How often a thread waiting on a manual clock looks whether its event was set meanwhile.
_MANUAL_POLL_SECONDS = 0.005


class Clock:
    """The machine's time: wall clock (UTC), today in the library's time zone, and a monotonic
    clock for intervals; `wait` and `sleep` pass this clock's time."""

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in the library's time zone (Europe/Amsterdam)."""
        return local_today(self.now())

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for intervals and deadlines."""
        return time.monotonic()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until the event is set, for at most `seconds`; whether it was set."""
        return event.wait(seconds)

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass."""
        time.sleep(seconds)


SYSTEM_CLOCK = Clock()


class ManualClock(Clock):
    """A clock that stands still until `advance` or `set` moves it; threads waiting on it wake
    when it passes their deadline (their events still wake them at once)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
        self._monotonic = 1000.0
        self._moved = threading.Condition()

    def now(self) -> datetime:
        """The clock's moment."""
        with self._moved:
            return self._now

    def monotonic(self) -> float:
        """The clock's monotonic seconds."""
        with self._moved:
            return self._monotonic

    def advance(self, seconds: float | timedelta) -> None:
        """Move the clock forward, waking whoever waits for that time."""
        step = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if step < 0:
            raise ValueError("a clock moves forward only")
        with self._moved:
            self._now += timedelta(seconds=step)
            self._monotonic += step
            self._moved.notify_all()

    def set(self, moment: datetime) -> None:
        """Jump to a later moment (the monotonic clock moves as far)."""
        self.advance(moment.astimezone(UTC) - self.now())

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until the event is set or the clock passed `seconds` from now."""
        with self._moved:
            deadline = self._monotonic + seconds
            while not event.is_set() and self._monotonic < deadline:
                self._moved.wait(_MANUAL_POLL_SECONDS)
        return event.is_set()

    def sleep(self, seconds: float) -> None:
        """Block until the clock was moved `seconds` on."""
        self.wait(threading.Event(), seconds)
