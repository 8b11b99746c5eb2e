"""The `pcscd` fixture: a running pcscd with vsmartcard's two virtual readers."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.hardware.base import ReaderUnavailable
from kiosk.hardware.pcsc import PcscCardReader
from tests.support.virtual_library_card import VirtualLibraryCard

VPCD_PORTS = {"Virtual PCD 00 00": 35963, "Virtual PCD 00 01": 35964}
LIBRARY_CARD_READER = "Virtual PCD 00 01"  # the ID-document tests use the other one
START_SECONDS = 15
PORTS_FREE_SECONDS = 90  # an old pcscd may take a while to let go of vpcd's ports


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
            raise RuntimeError(
                "pcscd did not list the vpcd readers; is vsmartcard-vpcd installed? Listening:\n"
                + _listeners()
            )
        time.sleep(0.1)  # pcscd has no "ready" signal to wait on


def _ports_free() -> bool:
    """Whether vpcd's ports can be bound: no other process (an old pcscd) still listens there,
    which would leave a new pcscd without its virtual readers."""
    for port in VPCD_PORTS.values():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("0.0.0.0", port))
            except OSError:
                return False
    return True


def _listeners() -> str:
    """The listening TCP sockets and their processes, to say who holds vpcd's ports."""
    try:
        return subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout
    except OSError:
        return "(ss is not installed)"


def _wait_for_free_ports() -> None:
    """Wait until vpcd's ports are free, failing with who holds them if they stay taken."""
    deadline = time.monotonic() + PORTS_FREE_SECONDS
    while not _ports_free():
        if time.monotonic() > deadline:
            ports = sorted(VPCD_PORTS.values())
            raise RuntimeError(f"vpcd's ports {ports} stay taken:\n{_listeners()}")
        time.sleep(0.2)


class PcscDaemon:
    """pcscd for the tests: started here unless one runs, and started again should it die
    (a chip that stops answering mid-APDU can take pcscd down with it)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def ensure(self) -> tuple[str, ...]:
        """A pcscd that lists both vpcd readers; the reader names."""
        if not set(VPCD_PORTS) <= set(_listed_readers() or ()):
            self.stop()  # ours, but without the vpcd readers: start it again
            if _listed_readers() is None:
                _wait_for_free_ports()
                self.process = subprocess.Popen(
                    ["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            _wait_for_virtual_readers(self.process)
        return tuple(VPCD_PORTS)

    def stop(self) -> None:
        """Stop the pcscd started here, if any."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)  # pcscd takes 1-2 s to exit


@contextmanager
def running_pcscd() -> Iterator[tuple[str, ...]]:
    """A pcscd with the vpcd readers for the block; stops only a pcscd started here."""
    daemon = PcscDaemon()
    try:
        yield daemon.ensure()
    finally:
        daemon.stop()


@pytest.fixture(scope="session")
def pcscd_daemon() -> Iterator[PcscDaemon]:
    """The session's pcscd keeper."""
    daemon = PcscDaemon()
    yield daemon
    daemon.stop()


@pytest.fixture
def pcscd(pcscd_daemon: PcscDaemon) -> tuple[str, ...]:
    """pcscd with the vpcd readers, checked before every test; yields the reader names."""
    return pcscd_daemon.ensure()


@pytest.fixture
def virtual_card(pcscd: tuple[str, ...]) -> Iterator[VirtualLibraryCard]:
    """A virtual tag placed on the library-card reader, taken away (and the removal noticed)
    afterwards."""
    card = VirtualLibraryCard()
    card.insert(VPCD_PORTS[LIBRARY_CARD_READER])
    yield card
    card.remove()
    assert wait_for_card(LIBRARY_CARD_READER, present=False, timeout=5)
