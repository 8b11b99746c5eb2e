"""SIP2 (3M Standard Interchange Protocol 2.00) frames: a two-digit command, its fixed-length
fields, then variable fields (`AAvalue|`), the error detection (`AY` sequence, `AZ` checksum) and a
carriage return.

Written here, not taken from a library: the one maintained Python codec (pysip2) drops field
identifiers it does not know, and the home library's expiry and birth date come in such
extension fields (`docs/guests.md`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINATOR = "\r"
# How long each command's fixed part is (the characters between the command and its first
# variable field).
FIXED_LENGTHS = {
    "93": 2,  # UID algorithm, PWD algorithm
    "94": 1,  # ok
    "63": 3 + 18 + 10,  # language, transaction date, summary
    "64": 14 + 3 + 18 + 6 * 4,  # patron status, language, transaction date, six counts
}
ERROR_DETECTION = re.compile(rb"AY([0-9])AZ([0-9A-Fa-f]{4})$")


class Sip2Error(ValueError):
    """A frame that is not SIP2 as we speak it (a wrong checksum, a cut-off message)."""


@dataclass(frozen=True)
class Message:
    """One SIP2 message: its command, fixed part and variable fields in their order."""

    command: str
    fixed: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    sequence: int | None = None  # a received frame's AY sequence number, if it had one

    def value(self, identifier: str) -> str | None:
        """The first field with this identifier (`AE`), or None."""
        return next((value for name, value in self.fields if name == identifier), None)

    def values(self, identifier: str) -> list[str]:
        """Every field with this identifier (a repeated `AF` screen message)."""
        return [value for name, value in self.fields if name == identifier]


def checksum(data: bytes) -> str:
    """The `AZ` checksum of everything before it: the sum of the bytes, negated, 16 bits, in
    four hex digits."""
    return f"{-sum(data) & 0xFFFF:04X}"


def encode(message: Message, sequence: int, encoding: str = "utf-8") -> bytes:
    """The frame of a message with its sequence number (0-9) and checksum."""
    if len(message.fixed) != FIXED_LENGTHS.get(message.command, len(message.fixed)):
        raise Sip2Error(f"{message.command}: the fixed part is {len(message.fixed)} characters")
    if any("|" in value or TERMINATOR in value for _name, value in message.fields):
        raise Sip2Error(f"{message.command}: a field value holds | or a carriage return")
    body = message.command + message.fixed + "".join(f"{n}{v}|" for n, v in message.fields)
    data = (body + f"AY{sequence % 10}AZ").encode(encoding)
    return data + (checksum(data) + TERMINATOR).encode("ascii")


def decode(frame: bytes, encoding: str = "utf-8") -> Message:
    """A received frame as a message; its error detection, when it has one, must be right."""
    data = frame.rstrip(b"\r\n")
    command = data[:2].decode("ascii", errors="replace")
    if command not in FIXED_LENGTHS:
        raise Sip2Error(f"an unexpected answer: {command!r}")
    end = 2 + FIXED_LENGTHS[command]  # the fixed part is ASCII: bytes are characters
    if len(data) < end:
        raise Sip2Error(f"{command}: the message is cut off")
    data, sequence = _checked_detection(data, end)
    text = data.decode(encoding, errors="replace")
    return Message(command, text[2:end], _fields(text[end:]), sequence)


def _checked_detection(data: bytes, end: int) -> tuple[bytes, int | None]:
    """The frame without its error detection (`AY` sequence, `AZ` checksum), once checked, and
    its sequence number; a frame without one as it is."""
    detected = ERROR_DETECTION.search(data, end)
    if detected is None:
        if data[end:].rsplit(b"|", 1)[-1].startswith((b"AY", b"AZ")):
            raise Sip2Error("the error detection (AY, AZ) is malformed")
        return data, None
    if checksum(data[: detected.end(1) + 2]) != detected.group(2).decode().upper():
        raise Sip2Error("the checksum does not match the message")
    return data[: detected.start()], int(detected.group(1))


def _fields(text: str) -> list[tuple[str, str]]:
    """The variable fields of a message (`AOlib|AA123|` → [(AO, lib), (AA, 123)])."""
    return [(part[:2], part[2:]) for part in text.split("|") if len(part) >= 2]
