"""Watches the card reader in the background: which card lies on it, and when it came or left."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from kiosk.devices import Devices
from kiosk.hardware.base import HardwareError
from kiosk.hardware.library_card import CardContents, read_card
from shared.clock import Clock

# The waits below pace the real reader (poll it, hand it to a flow, leave a failing one alone):
# real time, not the kiosk's clock, which only stamps when a card came or went.
POLL_SECONDS = 0.5  # how long one wait holds the reader before a flow may take it
WANTED_PAUSE_SECONDS = 0.05  # how long the watcher stays away while a flow wants the reader
FAILING_READER_PAUSE_SECONDS = 3.0  # how long a failing reader is left alone before a retry
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tap:
    """A card placed on the reader: when (the kiosk clock's monotonic seconds), its UID and its
    library data (None: not encoded)."""

    at: float
    contents: CardContents | None
    error: str | None = None


class CardWatcher:
    """A daemon thread recording taps and removals, stamped by `clock`; flows pause it
    (`devices.reader_for_flow`)."""

    def __init__(self, devices: Devices, clock: Clock) -> None:
        self._devices, self._clock = devices, clock
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self.tap: Tap | None = None
        self.removed_at: float = 0.0
        self.present = False
        self.reader_ok = True
        self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)

    def start(self) -> None:
        """Begin watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (waits for the current poll to end)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        """Poll until stopped; a failing reader is retried every few seconds."""
        while not self._stop.is_set():
            try:
                self._poll()
                self.reader_ok = True
            except HardwareError as error:
                log.warning("card reader: %s", error)
                self.reader_ok = False
                self._stop.wait(FAILING_READER_PAUSE_SECONDS)

    def _poll(self) -> None:
        """Wait a moment for the card to come (then read it) or to go."""
        devices = self._devices
        if devices.reader_wanted:
            # Releasing and at once re-taking the lock would starve a flow waiting for it.
            self._stop.wait(WANTED_PAUSE_SECONDS)
            return
        with devices.reader_lock:
            changed = devices.card_reader.wait_for_card(
                devices.card_reader_name, not self.present, POLL_SECONDS
            )
            if not changed:
                return
            if self.present:
                self._record(present=False, tap=self.tap)
            else:
                self._record(present=True, tap=self._read())

    def _read(self) -> Tap:
        """Read the card that just arrived; a card that left at once is a failed tap."""
        devices = self._devices
        try:
            with devices.card_reader.connect(devices.card_reader_name, POLL_SECONDS) as session:
                return Tap(self._clock.monotonic(), read_card(session))
        except HardwareError as error:
            return Tap(self._clock.monotonic(), None, str(error))

    def _record(self, present: bool, tap: Tap | None) -> None:
        """Publish a change and wake whoever waits for one."""
        with self._changed:
            self.present, self.tap = present, tap
            if not present:
                self.removed_at = self._clock.monotonic()
            self._changed.notify_all()

    def wait_for_change(self, timeout: float) -> None:
        """Block until the next tap or removal, or the timeout (real seconds: it holds a browser's
        request, for long-polling views)."""
        with self._changed:
            self._changed.wait(timeout)
