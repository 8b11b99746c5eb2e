"""Faults for tests: the next API requests fail as a broken network or Mollie outage would."""

import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from flask import Response

from shared.mollie_sandbox.errors import ApiError, error_response

MAX_DELAY_SECONDS = 60
BAD_GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


class FaultMode(StrEnum):
    """How a request fails: Mollie's own 500, a proxy's HTML page, or a slow answer."""

    ERROR_500 = "error_500"
    NOT_JSON = "not_json"
    DELAY = "delay"


@dataclass
class Fault:
    """A way to fail and how many more requests fail that way."""

    mode: FaultMode
    count: int
    delay_seconds: float = 0.0


class FaultQueue:
    """Faults waiting for the next API requests, first come first served, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault behind those already waiting."""
        with self._lock:
            self._faults.append(fault)

    def take(self) -> Fault | None:
        """The fault for the request at hand, if one is waiting."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.count -= 1
            if fault.count == 0:
                self._faults.pop(0)
            return Fault(fault.mode, 1, fault.delay_seconds)

    def waiting(self) -> list[dict[str, Any]]:
        """The faults still waiting, as JSON-ready dicts."""
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._faults.clear()


def fail(fault: Fault) -> Response | None:
    """Answer as the fault says; None when the request should then go on normally."""
    if fault.mode == FaultMode.ERROR_500:
        return error_response(ApiError(500, "An unexpected error occurred (injected fault)."))
    if fault.mode == FaultMode.NOT_JSON:
        return Response(BAD_GATEWAY_PAGE, status=502, mimetype="text/html")
    time.sleep(fault.delay_seconds)
    return None
