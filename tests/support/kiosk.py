"""The kiosk application for tests: simulated devices, talking to a real portal on a port."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from kiosk.app import create_app as create_kiosk
from kiosk.app import start_background, stop_background
from kiosk.devices import Devices
from kiosk.hardware.scanner import QueueScanner
from kiosk.hardware.simulated import (
    SIMULATED_READER,
    SimulatedCardReader,
    SimulatedDocumentReader,
    SimulatedPrinter,
    SimulatedScanner,
)
from shared.clock import SYSTEM_CLOCK, Clock, ManualClock
from tests.support.kiosk_api import register_kiosk

TERMINAL = "term_sandboxKiosk1"
WAIT_SECONDS = 10.0  # how long a test waits for a kiosk thread to act


def simulated_devices() -> Devices:
    """A full set of simulated devices, each reachable for the test to drive."""
    scanner: QueueScanner = SimulatedScanner()
    return Devices(
        card_reader=SimulatedCardReader(),
        card_reader_name=SIMULATED_READER,
        document_reader=SimulatedDocumentReader(),
        document_reader_name=SIMULATED_READER,
        printer=SimulatedPrinter(),
        scanner=scanner,
    )


@pytest.fixture
def kiosk_devices() -> Devices:
    """The simulated devices of the kiosk under test."""
    return simulated_devices()


def kiosk_config(
    portal_url: str, token: str, csrf: bool = False, **overrides: object
) -> dict[str, object]:
    """A test kiosk's settings: no CSRF unless asked, no background heartbeat (tests beat)."""
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": csrf,
        "KIOSK_SECRET_KEY": "test-kiosk-secret",
        "KIOSK_PORTAL_URL": portal_url,
        "KIOSK_DEVICE_TOKEN": token,
        "KIOSK_PORTAL_TIMEOUT": 5.0,
        "KIOSK_HEARTBEAT_SECONDS": 0,
        "KIOSK_LIBRARY_NAME": "Bibliotheek Drenthe",
        "KIOSK_BRANCH_NAME": "Ruinerwold",
        **overrides,
    }


@contextmanager
def running_kiosk(
    config: dict[str, object], devices: Devices, clock: Clock = SYSTEM_CLOCK
) -> Iterator[Flask]:
    """A kiosk app on `clock` with its background threads running while the block runs."""
    kiosk = create_kiosk(config, devices=devices, clock=clock)
    start_background(kiosk)
    try:
        yield kiosk
    finally:
        stop_background(kiosk)


@pytest.fixture
def kiosk_clock() -> Clock:
    """The clock of `kiosk_app`: the machine's (a test module may give a ManualClock instead)."""
    return SYSTEM_CLOCK


@pytest.fixture
def kiosk_app(
    app: Flask, portal_server: str, kiosk_devices: Devices, kiosk_clock: Clock
) -> Iterator[Flask]:
    """The kiosk, registered at the test portal with the sandbox's first terminal."""
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    with running_kiosk(kiosk_config(portal_server, token), kiosk_devices, kiosk_clock) as kiosk:
        yield kiosk


def until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Whether the condition came true within `timeout` real seconds (a kiosk thread acting)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def advance_until(clock: ManualClock, condition: Callable[[], bool], step: float) -> bool:
    """Move the clock `step` seconds at a time, letting the kiosk's threads act in between,
    until the condition holds (within WAIT_SECONDS of real time)."""

    def moved() -> bool:
        clock.advance(step)
        return condition()

    return condition() or until(moved)


def page_number(page: str) -> str:
    """The number the kiosk gave the page, which its polls send."""
    found = re.search(r'data-page="([0-9]+)"', page)
    assert found, "the page has no number"
    return found.group(1)


def form_token(page: str) -> str:
    """The CSRF token of a kiosk page's forms, as the browser would send it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
