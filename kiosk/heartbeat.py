"""The heartbeat: tells the portal how the devices are, and knows whether the portal answers."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import PackageNotFoundError, version

from kiosk.branch import Branch, from_heartbeat
from kiosk.devices import Devices
from kiosk.portal_client import PortalClient, PortalRefused, PortalUnavailable
from shared.clock import Clock

OFFLINE_RETRY_SECONDS = 5.0  # while the portal is away, look for it more often
RETRY_GAP_SECONDS = 1.0  # the out-of-service page's polls try the portal at most this often
log = logging.getLogger(__name__)


def software_version() -> str:
    """The installed OpenBalie version."""
    try:
        return version("openbalie")
    except PackageNotFoundError:
        return "unknown"


class Heartbeat:
    """Sends device health every `interval` seconds of `clock` (0: only when asked); keeps
    `online` and the branch the portal says the kiosk stands in."""

    def __init__(
        self, portal: PortalClient, devices: Devices, interval: float, clock: Clock
    ) -> None:
        self._portal, self._devices, self._interval = portal, devices, interval
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last_try = 0.0
        self.online = True
        self.status: str | None = None
        self.branch: Branch | None = None  # as the portal last said (receipts' heading)
        self._thread = threading.Thread(target=self._run, name="kiosk-heartbeat", daemon=True)

    def start(self) -> None:
        """Begin beating in the background, unless the interval is 0."""
        if self._interval > 0:
            self._thread.start()

    def stop(self) -> None:
        """Stop beating."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def beat(self) -> bool:
        """Send one heartbeat now; whether the portal answered."""
        with self._lock:
            self._last_try = self._clock.monotonic()
            try:
                answer = self._portal.heartbeat(self._devices.health(), software_version())
            except PortalUnavailable as error:
                log.warning("heartbeat: portal unavailable (%s)", error)
                self.online = False
            except PortalRefused as refusal:
                log.warning("heartbeat refused: %s", refusal)
                self.online = True
            else:
                self.online, self.status = True, answer.get("status")
                self.branch = from_heartbeat(answer) or self.branch
            return self.online

    def known_branch(self) -> Branch | None:
        """The kiosk's branch as the portal says it, asked now when no beat brought it yet (the
        interval 0, or the portal away when the kiosk started); None while the portal is away."""
        if self.branch is None:
            self.beat()
        return self.branch

    def report_now(self) -> None:
        """A device changed (the printer failed): tell the portal at once."""
        self.beat()

    def went_offline(self) -> None:
        """A flow's call found the portal away."""
        self.online = False

    def back_online(self) -> bool:
        """Whether the portal answers again (tried at most every few seconds)."""
        if not self.online and self._clock.monotonic() - self._last_try >= RETRY_GAP_SECONDS:
            self.beat()
        return self.online

    def _run(self) -> None:
        """Beat until stopped: every interval, more often while the portal is away."""
        self.beat()
        while not self._clock.wait(self._stop, self._delay()):
            self.beat()

    def _delay(self) -> float:
        """Seconds until the next beat."""
        return self._interval if self.online else min(self._interval, OFFLINE_RETRY_SECONDS)
