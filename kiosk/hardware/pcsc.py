"""The real contactless card reader: pcscd through pyscard, PC/SC part 3 storage-card APDUs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from types import ModuleType

from kiosk.hardware.base import (
    CardError,
    CardNotAnswering,
    CardRemoved,
    CardTimeout,
    ReaderUnavailable,
)
from kiosk.hardware.deadline import Deadline, DeadlineExceeded

# A block write takes 10-20 ms on a real tag and a 63-block read under 100 ms, reader and USB
# included: 2 s leaves room for a busy kiosk and a reader's own retries, yet tells the patron
# at once that the card must be placed again.
APDU_TIMEOUT = 2.0
MAX_READ_BLOCKS = 63  # Le is one byte: 63 blocks of 4 bytes is the largest whole-block read
GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
SW_OK = 0x9000


def _scard() -> ModuleType:
    """pyscard's PC/SC binding, imported only when a real reader is used."""
    from smartcard import scard

    return scard


def _message(hresult: int) -> str:
    """pcsc-lite's text for an error code."""
    return _scard().SCardGetErrorMessage(hresult).strip()


def _establish() -> int:
    """A new PC/SC context; ReaderUnavailable when pcscd is not running."""
    scard = _scard()
    hresult, hcontext = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise ReaderUnavailable(f"card reader service unavailable: {_message(hresult)}")
    return hcontext


@contextmanager
def _context() -> Iterator[int]:
    """A PC/SC context, released on exit."""
    hcontext = _establish()
    try:
        yield hcontext
    finally:
        _scard().SCardReleaseContext(hcontext)


def _wait(hcontext: int, reader: str, present: bool, timeout: float) -> bool:
    """Block in SCardGetStatusChange until the card is (not) present; False on timeout."""
    scard = _scard()
    # Real time, not the kiosk's clock: it bounds how long pcscd may hold this call.
    deadline = time.monotonic() + timeout
    known = scard.SCARD_STATE_UNAWARE
    while True:
        wait_ms = max(0, int((deadline - time.monotonic()) * 1000))
        hresult, states = scard.SCardGetStatusChange(hcontext, wait_ms, [(reader, known)])
        if hresult == scard.SCARD_E_TIMEOUT:
            return False
        if hresult != scard.SCARD_S_SUCCESS:
            raise ReaderUnavailable(f"reader {reader!r}: {_message(hresult)}")
        event = states[0][1]
        if event & scard.SCARD_STATE_UNKNOWN:
            raise ReaderUnavailable(f"no reader named {reader!r}")
        if bool(event & scard.SCARD_STATE_PRESENT) == present:
            return True
        known = event & ~scard.SCARD_STATE_CHANGED


def _connect(hcontext: int, reader: str, timeout: float) -> tuple[int, int]:
    """Wait for a card on `reader` and connect to it; the card handle and protocol."""
    scard = _scard()
    if not _wait(hcontext, reader, True, timeout):
        raise CardTimeout(f"no card on {reader!r} within {timeout:g} s")
    protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    hresult, hcard, protocol = scard.SCardConnect(
        hcontext, reader, scard.SCARD_SHARE_SHARED, protocols
    )
    if hresult != scard.SCARD_S_SUCCESS:
        raise CardRemoved(f"cannot connect to the card: {_message(hresult)}")
    return hcard, protocol


def _close(hcontext: int, hcard: int | None) -> None:
    """Disconnect the card, if connected, and release the context."""
    scard = _scard()
    if hcard is not None:
        scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(hcontext)


def _tag_kind(uid: bytes) -> bytes:
    """E0, manufacturer code and chip type of an ISO 15693 UID in either byte order, or empty."""
    for ordered in (uid, uid[::-1]):  # readers differ in the order they give the UID bytes
        if ordered[:1] == b"\xe0":
            return ordered[:3]
    return b""


class PcscSession:
    """A connection to one ISO 15693 tag through a PC/SC part 3 reader."""

    def __init__(
        self,
        hcard: int,
        protocol: int,
        reader: str,
        read_limits: dict[tuple[str, bytes], int],
        deadline: Deadline,
    ):
        self._hcard = hcard
        self._protocol = protocol
        self._reader = reader
        self._limits = read_limits
        self._deadline = deadline
        self._uid: bytes | None = None

    def _transmit(self, apdu: list[int]) -> tuple[bytes, int]:
        """Send one APDU; the response body and status word."""
        scard = _scard()
        transmit = partial(scard.SCardTransmit, self._hcard, self._protocol, apdu)
        try:
            hresult, response = self._deadline.call(transmit)
        except DeadlineExceeded:
            seconds = self._deadline.seconds
            raise CardNotAnswering(f"the card stopped answering within {seconds:g} s") from None
        if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
            raise CardRemoved(f"the card stopped answering: {_message(hresult)}")
        return bytes(response[:-2]), response[-2] << 8 | response[-1]

    def _checked(self, apdu: list[int]) -> bytes:
        """Send one APDU that must succeed; its response body."""
        body, sw = self._transmit(apdu)
        if sw != SW_OK:
            raise CardError(f"the card refused {bytes(apdu[:2]).hex().upper()}: {sw:04X}")
        return body

    def uid(self) -> bytes:
        """The tag's UID (GET DATA, `FF CA 00 00 00`), asked once per connection."""
        if self._uid is None:
            self._uid = self._checked(GET_UID)
        return self._uid

    def read_blocks(self, first: int, count: int) -> bytes:
        """Read blocks in the largest chunks this reader and kind of tag accepted (`FF B0`)."""
        kind = (self._reader, _tag_kind(self.uid()))
        data = b""
        while count:
            chunk = min(count, self._limits.get(kind, MAX_READ_BLOCKS))
            part = self._read_chunk(first, chunk)
            if part is None:
                self._limits[kind] = 1  # this reader reads this kind of tag one block per APDU
                continue
            data, first, count = data + part, first + chunk, count - chunk
        return data

    def _read_chunk(self, first: int, count: int) -> bytes | None:
        """One READ BINARY of `count` blocks; None when the reader refuses a multi-block read."""
        apdu = [0xFF, 0xB0, first >> 8, first & 0xFF, count * 4]
        if count == 1:
            return self._checked(apdu)
        body, sw = self._transmit(apdu)
        return body if sw == SW_OK and len(body) == count * 4 else None

    def write_blocks(self, first: int, data: bytes) -> None:
        """Write 4-byte blocks one APDU each (UPDATE BINARY, `FF D6 00 <block> 04 <data>`)."""
        if len(data) % 4:
            raise ValueError("data must be whole 4-byte blocks")
        for offset in range(0, len(data), 4):
            block = first + offset // 4
            self._checked([0xFF, 0xD6, block >> 8, block & 0xFF, 4, *data[offset : offset + 4]])


class PcscCardReader:
    """Card readers attached to the local pcscd."""

    def __init__(self, apdu_timeout: float = APDU_TIMEOUT) -> None:
        self._apdu_timeout = apdu_timeout
        self._read_limits: dict[tuple[str, bytes], int] = {}

    def readers(self) -> list[str]:
        """The names of the readers pcscd knows."""
        scard = _scard()
        with _context() as hcontext:
            hresult, names = scard.SCardListReaders(hcontext, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise ReaderUnavailable(f"cannot list readers: {_message(hresult)}")
        return list(names)

    def wait_for_card(self, reader: str, present: bool, timeout: float) -> bool:
        """Wait (event driven) until a card is, or is not, on `reader`; False on timeout."""
        with _context() as hcontext:
            return _wait(hcontext, reader, present, timeout)

    @contextmanager
    def connect(self, reader: str, timeout: float) -> Iterator[PcscSession]:
        """Wait for a card on `reader` and hold a connection to it, disconnected on exit."""
        deadline = Deadline(self._apdu_timeout)
        hcontext = _establish()
        hcard: int | None = None
        try:
            hcard, protocol = _connect(hcontext, reader, timeout)
            yield PcscSession(hcard, protocol, reader, self._read_limits, deadline)
        finally:
            # After a silent card pcscd holds every call on this context until the card answers
            # or leaves: close then, in the background, so that the kiosk goes on meanwhile.
            deadline.when_free(partial(_close, hcontext, hcard))
