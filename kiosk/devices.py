"""The kiosk's devices, chosen by configuration, and a summary of their health."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kiosk.hardware import config as hardware
from kiosk.hardware.base import (
    CANNOT_PRINT,
    CardReader,
    DocumentReader,
    HardwareError,
    Printer,
    PrinterStatus,
    Scanner,
)
from kiosk.hardware.simulated import (
    SIMULATED_READER,
    SimulatedCardReader,
    SimulatedDocumentReader,
    SimulatedPrinter,
    SimulatedScanner,
)


@dataclass
class Devices:
    """Everything the kiosk drives; `reader_lock` gives one flow at a time the card reader."""

    card_reader: CardReader
    card_reader_name: str
    document_reader: DocumentReader
    document_reader_name: str
    printer: Printer
    scanner: Scanner
    reader_lock: threading.RLock = field(default_factory=threading.RLock)
    print_failure: PrinterStatus | None = None  # why the last print failed; None once one works
    _flows_waiting: int = field(default=0, init=False, repr=False)
    _waiting_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def reader_wanted(self) -> bool:
        """Whether a flow waits for the card reader (the card watcher then steps aside)."""
        return self._flows_waiting > 0

    @contextmanager
    def reader_for_flow(self) -> Iterator[None]:
        """Hold the card reader for a flow, telling the card watcher to let go of it."""
        self._count_waiting(+1)
        try:
            self.reader_lock.acquire()
        finally:
            self._count_waiting(-1)
        try:
            yield
        finally:
            self.reader_lock.release()

    def _count_waiting(self, change: int) -> None:
        """One flow more (or less) waiting for the card reader."""
        with self._waiting_lock:
            self._flows_waiting += change

    def health(self) -> dict[str, str]:
        """Each device's state for the heartbeat, as far as it can be known."""
        return {
            "card_reader": self._listed(self.card_reader_name),
            "document_reader": self._document_reader_state(),
            "printer": self._printer_state(),
            # A keyboard-wedge scanner cannot be asked how it is.
            "scanner": "ok" if isinstance(self.scanner, SimulatedScanner) else "unknown",
        }

    def all_simulated(self) -> bool:
        """Whether every device is simulated (nothing real to break from a control panel)."""
        kinds = (
            (self.card_reader, SimulatedCardReader),
            (self.document_reader, SimulatedDocumentReader),
            (self.printer, SimulatedPrinter),
            (self.scanner, SimulatedScanner),
        )
        return all(isinstance(device, kind) for device, kind in kinds)

    def _listed(self, reader_name: str) -> str:
        """ok when the card reader service lists this reader."""
        try:
            return "ok" if reader_name in self.card_reader.readers() else "unavailable"
        except HardwareError:
            return "unavailable"

    def _document_reader_state(self) -> str:
        """A PC/SC document reader is ok when it is listed; a simulated one always is."""
        if isinstance(self.document_reader, SimulatedDocumentReader):
            return "ok"
        return self._listed(self.document_reader_name)

    def _printer_state(self) -> str:
        """The printer's own status, or why the last print failed until a print works again."""
        try:
            status = self.printer.status()
        except Exception:  # noqa: BLE001 - a USB/network printer fails in many ways
            return PrinterStatus.OFFLINE.value
        if status in CANNOT_PRINT or self.print_failure is None:
            return status.value
        return self.print_failure.value


def from_config(config: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Devices:
    """The devices the environment names; simulated ones unless told otherwise."""
    reader = hardware.card_reader(environ)
    reader_name = config.get("KIOSK_CARD_READER_NAME") or _first_reader(reader)
    return Devices(
        card_reader=reader,
        card_reader_name=reader_name,
        document_reader=hardware.document_reader(environ),
        document_reader_name=config.get("KIOSK_DOCUMENT_READER_NAME") or reader_name,
        printer=hardware.printer(environ),
        scanner=hardware.scanner(environ),
    )


def _first_reader(reader: CardReader) -> str:
    """The first reader listed (a kiosk usually has one), or the simulated one's name."""
    try:
        names = reader.readers()
    except HardwareError:
        names = []
    return names[0] if names else SIMULATED_READER
