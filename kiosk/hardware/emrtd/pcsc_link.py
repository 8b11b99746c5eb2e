"""The eMRTD reader's link to pcscd (pyscard): wait for a document, transmit with a deadline."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any

from kiosk.hardware.deadline import Deadline, DeadlineExceeded
from kiosk.hardware.emrtd.errors import ChipNotAnswering, DocumentRemoved, ReaderUnavailable


class PyscardTransmit:
    """Transmit through a connected pyscard connection; a chip silent past the deadline fails."""

    def __init__(self, connection: Any, apdu_timeout: float) -> None:
        self._connection = connection
        self.deadline = Deadline(apdu_timeout)

    def _transmit(self, apdu: bytes) -> bytes:
        """Send one APDU and wait for the response, however long the chip takes."""
        data, sw1, sw2 = self._connection.transmit(list(apdu))
        return bytes([*data, sw1, sw2])

    def __call__(self, apdu: bytes) -> bytes:
        """Send one APDU; DocumentRemoved if the card left, ChipNotAnswering if it stays silent."""
        from smartcard.Exceptions import CardConnectionException

        try:
            return self.deadline.call(partial(self._transmit, apdu))
        except DeadlineExceeded:
            seconds = self.deadline.seconds
            raise ChipNotAnswering(f"chip did not answer within {seconds:g} s") from None
        except CardConnectionException:
            raise DocumentRemoved("document removed during the read") from None


def _check_reader(reader_name: str) -> None:
    """ReaderUnavailable unless pcscd runs and lists the reader."""
    from smartcard.pcsc.PCSCExceptions import BaseSCardException
    from smartcard.System import readers

    try:
        names = [str(reader) for reader in readers()]
    except BaseSCardException:
        raise ReaderUnavailable("card reader service (pcscd) is not running") from None
    if reader_name not in names:
        raise ReaderUnavailable(f"no reader named {reader_name!r}")


@contextmanager
def connected(reader_name: str, timeout: float, apdu_timeout: float) -> Iterator[PyscardTransmit]:
    """Wait up to timeout seconds for a document on the reader; transmit to it until exit."""
    from smartcard.CardRequest import CardRequest
    from smartcard.CardType import AnyCardType
    from smartcard.Exceptions import (
        CardConnectionException,
        CardRequestException,
        CardRequestTimeoutException,
        NoCardException,
    )

    _check_reader(reader_name)
    request = CardRequest(readers=[reader_name], timeout=timeout, cardType=AnyCardType())
    try:
        service = request.waitforcard()
        service.connection.connect()
    except CardRequestTimeoutException:
        _release_request(request)
        raise DocumentRemoved(f"no document on the reader within {timeout:g} s") from None
    except (CardConnectionException, NoCardException):
        _release_request(request)
        raise DocumentRemoved("document removed before the connection was made") from None
    except CardRequestException:
        _release_request(request)
        raise ReaderUnavailable("the card reader service stopped while waiting") from None
    transmit = PyscardTransmit(service.connection, apdu_timeout)
    try:
        yield transmit
    finally:
        # After a silent chip pcscd blocks every call on this card until the transmit returns.
        transmit.deadline.when_free(partial(_release, service, request))


def _release(service: Any, request: Any) -> None:
    """Disconnect, release the connection and the request's context, ignoring a vanished card."""
    from smartcard.Exceptions import CardConnectionException

    with suppress(CardConnectionException):
        service.connection.disconnect()
    with suppress(CardConnectionException):
        service.connection.release()
    _release_request(request)


def _release_request(request: Any) -> None:
    """Release the card request's own PC/SC context, whatever state pcscd is in."""
    from smartcard.Exceptions import CardConnectionException

    with suppress(CardConnectionException):
        request.pcsccardrequest.release()
