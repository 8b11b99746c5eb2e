"""Simulated devices for the embedded default, demos and kiosk tests: they record what happened."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.hardware.base import (
    CANNOT_PRINT,
    CardRemoved,
    CardTimeout,
    HardwareError,
    MrzInput,
    PrinterStatus,
    ReaderUnavailable,
    Receipt,
)
from kiosk.hardware.scanner import QueueScanner

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

SIMULATED_READER = "Simulated reader 0"


@dataclass
class SimulatedTag:
    """An ISO 15693 tag in memory: a UID and 4-byte blocks."""

    identifier: bytes = bytes.fromhex("E004015000000001")
    memory: bytearray = field(default_factory=lambda: bytearray(28 * 4))

    def uid(self) -> bytes:
        """The UID."""
        return self.identifier

    def read_blocks(self, first: int, count: int) -> bytes:
        """`count` blocks from block `first`."""
        return bytes(self.memory[first * 4 : (first + count) * 4])

    def write_blocks(self, first: int, data: bytes) -> None:
        """Overwrite blocks from block `first`."""
        self.memory[first * 4 : first * 4 + len(data)] = data


class SimulatedCardReader:
    """Readers on which a demo or test places and takes away tags."""

    def __init__(self, names: tuple[str, ...] = (SIMULATED_READER,)):
        self._tags: dict[str, SimulatedTag | None] = dict.fromkeys(names)
        self._changed = threading.Condition()

    def place(self, reader: str, tag: SimulatedTag | None) -> None:
        """Put `tag` on `reader` (None takes the tag away)."""
        with self._changed:
            self._tags[reader] = tag
            self._changed.notify_all()

    def readers(self) -> list[str]:
        """The simulated readers' names."""
        return list(self._tags)

    def wait_for_card(self, reader: str, present: bool, timeout: float) -> bool:
        """Wait until a tag is, or is not, on `reader`."""
        if reader not in self._tags:
            raise ReaderUnavailable(f"no reader named {reader!r}")
        with self._changed:
            return self._changed.wait_for(lambda: self._has_tag(reader) == present, timeout)

    def _has_tag(self, reader: str) -> bool:
        """Whether a tag lies on `reader`."""
        return self._tags[reader] is not None

    @contextmanager
    def connect(self, reader: str, timeout: float) -> Iterator[SimulatedTag]:
        """Wait for a tag on `reader`; the tag itself is the session."""
        if not self.wait_for_card(reader, True, timeout):
            raise CardTimeout(f"no card on {reader!r} within {timeout:g} s")
        tag = self._tags[reader]
        if tag is None:
            raise CardRemoved(f"the card left {reader!r}")
        yield tag


class SimulatedPrinter:
    """A printer that keeps the receipts it printed; a demo or test sets its paper state."""

    def __init__(self) -> None:
        self.printed: list[Receipt] = []
        self.state = PrinterStatus.OK

    def print_receipt(self, receipt: Receipt) -> None:
        """Record the receipt, unless the printer is out of paper or offline."""
        if self.state in CANNOT_PRINT:
            raise HardwareError(f"printer {self.state.value}")
        self.printed.append(receipt)

    def status(self) -> PrinterStatus:
        """The state a demo or test set (ready unless told otherwise)."""
        return self.state


class SimulatedScanner(QueueScanner):
    """A scanner into which a demo or test types lines."""

    def type_line(self, line: str) -> None:
        """Scan one line."""
        self._put(line)


@dataclass
class SimulatedDocument:
    """An ID document with a chip: the MRZ data that open it and what its chip gives."""

    document_number: str
    birth_date: str
    expiry_date: str
    holder: dict[str, object]


class SimulatedDocumentReader:
    """A document reader on which a demo or test places an ID document."""

    def __init__(self) -> None:
        self._document: SimulatedDocument | None = None
        self._changed = threading.Condition()

    def place(self, document: SimulatedDocument | None) -> None:
        """Lay a document on the reader (None takes it away)."""
        with self._changed:
            self._document = document
            self._changed.notify_all()

    @property
    def document(self) -> SimulatedDocument | None:
        """The document on the reader, if any."""
        return self._document

    def __call__(
        self,
        reader_name: str,
        mrz_or_fields: MrzInput,
        timeout: float,
        trust_anchors: Sequence[Certificate] | None = None,
    ) -> dict[str, Any]:
        """The holder's data, if the MRZ data open this document's chip."""
        from kiosk.hardware.emrtd import bac_key
        from kiosk.hardware.emrtd.errors import AccessDenied, DocumentRemoved

        key = bac_key(mrz_or_fields)
        with self._changed:
            if not self._changed.wait_for(lambda: self._document is not None, timeout):
                raise DocumentRemoved(f"no document on the reader within {timeout:g} s")
            document = self._document
        assert document is not None
        fields = (document.document_number, document.birth_date, document.expiry_date)
        if bac_key(fields) != key:
            raise AccessDenied("the chip refused access: check the MRZ data")
        return dict(document.holder)
