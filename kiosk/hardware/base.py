"""The small interfaces of the kiosk's devices, and the errors they raise."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from babel.dates import format_date, format_time
from babel.numbers import format_currency

from shared.timeutil import LOCAL_TZ

if TYPE_CHECKING:
    from cryptography.x509 import Certificate


class HardwareError(Exception):
    """A device could not do what was asked; the message is one line for the patron's helper."""


class ReaderUnavailable(HardwareError):
    """The PC/SC service or the named reader is not there."""


class CardTimeout(HardwareError):
    """No card arrived (or left) within the timeout."""


class CardRemoved(HardwareError):
    """The card left the reader or stopped answering during an operation."""


class CardNotAnswering(CardRemoved):
    """The card gave no answer within the APDU deadline (it may still lie on the reader)."""


class CardError(HardwareError):
    """The card answered with an error status word."""


class WriteVerifyError(HardwareError):
    """What was read back after a write differs from what was written."""


class CardSession(Protocol):
    """One connection to one card on a reader."""

    def uid(self) -> bytes:
        """The card's unique identifier."""
        ...

    def read_blocks(self, first: int, count: int) -> bytes:
        """Read `count` 4-byte blocks starting at block `first`."""
        ...

    def write_blocks(self, first: int, data: bytes) -> None:
        """Write `data` (a multiple of 4 bytes) block by block, starting at block `first`."""
        ...


class CardReader(Protocol):
    """Contactless card readers (PC/SC or simulated)."""

    def readers(self) -> list[str]:
        """The names of the connected readers."""
        ...

    def wait_for_card(self, reader: str, present: bool, timeout: float) -> bool:
        """Wait until a card is (present=True) or is not on the reader; False on timeout."""
        ...

    def connect(self, reader: str, timeout: float) -> AbstractContextManager[CardSession]:
        """Wait up to `timeout` seconds for a card and hold a connection to it."""
        ...


# MRZ lines joined by "\n", or the hand-typed (document number, birth date, expiry date).
MrzInput = str | tuple[str, str, str]


class DocumentReader(Protocol):
    """ID-document chips (ICAO 9303); implemented by `kiosk.hardware.emrtd`."""

    def __call__(
        self,
        reader_name: str,
        mrz_or_fields: MrzInput,
        timeout: float,
        trust_anchors: Sequence[Certificate] | None = None,
    ) -> dict[str, Any]:
        """Read EF.COM, DG1 and EF.SOD and return the holder's data (never the document number)."""
        ...


class PrinterStatus(Enum):
    """What a receipt printer says about itself."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


CANNOT_PRINT = frozenset({PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE})


@dataclass(frozen=True)
class Receipt:
    """A receipt (with lines and a total) or a slip (lines only, no total), headed with the
    library, the branch's name and address, and when it was printed."""

    library: str
    branch: str
    title: str
    printed_at: datetime
    lines: list[tuple[str, Decimal | None]] = field(default_factory=list)
    total: Decimal | None = None
    total_label: str = "Total"
    barcode: str | None = None  # printed as CODE128 with its text: a card number, a reference
    qr: str | None = None
    locale: str = "nl"  # the patron's language: amounts and dates are written as in it
    currency: str = "EUR"
    address: tuple[str, ...] = ()  # the branch's street; postcode and city

    def money(self, amount: Decimal) -> str:
        """An amount as the receipt's language writes it (€ 12,50), on paper and on screen."""
        return format_currency(amount, self.currency, locale=self.locale)

    def when(self) -> str:
        """When it was printed, in the library's time, as the receipt's language writes it."""
        local = self.printed_at.astimezone(LOCAL_TZ)
        day = format_date(local, "long", locale=self.locale)
        return f"{day} {format_time(local, 'short', locale=self.locale)}"


class Printer(Protocol):
    """Receipt printers."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt or slip and cut."""
        ...

    def status(self) -> PrinterStatus:
        """Paper and online status, UNKNOWN where the printer cannot say."""
        ...


class Scanner(Protocol):
    """Keyboard-wedge scanners (QR codes, card barcodes, MRZ lines)."""

    def read(self, timeout: float) -> str | None:
        """The next scanned payload, stripped, or None after `timeout` seconds."""
        ...
