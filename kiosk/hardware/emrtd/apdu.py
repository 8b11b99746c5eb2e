"""Command and response APDUs as bytes, and the transmit function the reader talks through."""

from collections.abc import Callable

Transmit = Callable[[bytes], bytes]
"""Send one command APDU, return the response data followed by SW1 SW2."""

SW_OK = 0x9000


def command(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
) -> bytes:
    """A short command APDU (Le 256 is encoded as 00)."""
    body = bytes([len(data)]) + data if data else b""
    return bytes([cla, ins, p1, p2]) + body + (bytes([le % 256]) if le is not None else b"")


def split_response(response: bytes) -> tuple[bytes, int]:
    """Response data and the status word."""
    return response[:-2], int.from_bytes(response[-2:], "big")
