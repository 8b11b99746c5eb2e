"""The `pcscd` fixture: a running pcscd with vsmartcard's two virtual readers."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.hardware.base import ReaderUnavailable
from kiosk.hardware.pcsc import PcscCardReader

VPCD_PORTS = {"Virtual PCD 00 00": 35963, "Virtual PCD 00 01": 35964}
START_SECONDS = 15


def wait_for_card(reader_name: str, present: bool, timeout: float) -> bool:
    """Wait (through pcscd's events) until a card is, or is not, on the reader."""
    return PcscCardReader().wait_for_card(reader_name, present, timeout)


def _listed_readers() -> list[str] | None:
    """The readers pcscd lists now, or None when it is not running."""
    try:
        return PcscCardReader().readers()
    except ReaderUnavailable:
        return None


def _wait_for_virtual_readers(process: subprocess.Popen[bytes] | None) -> None:
    """Wait until both vpcd readers are listed, failing if our pcscd dies first."""
    deadline = time.monotonic() + START_SECONDS
    while not set(VPCD_PORTS) <= set(_listed_readers() or ()):
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"pcscd exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("pcscd did not list the vpcd readers; is vsmartcard-vpcd installed?")
        time.sleep(0.1)  # pcscd has no "ready" signal to wait on


@contextmanager
def running_pcscd() -> Iterator[tuple[str, ...]]:
    """Start pcscd unless one runs, wait for the vpcd readers; stop only a pcscd started here."""
    process = None
    if _listed_readers() is None:
        process = subprocess.Popen(
            ["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    try:
        _wait_for_virtual_readers(process)
        yield tuple(VPCD_PORTS)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)  # pcscd takes 1-2 s to exit


@pytest.fixture(scope="session")
def pcscd() -> Iterator[tuple[str, ...]]:
    """pcscd with the vpcd readers (started here unless one runs); yields the reader names."""
    with running_pcscd() as names:
        yield names
