"""The ISO 28560-3 basic block of a library patron card, and reading/writing it safely."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.hardware.base import CardReader, CardSession, WriteVerifyError

BLOCK_SIZE = 4
BASIC_BLOCK_SIZE = 32
BASIC_BLOCKS = BASIC_BLOCK_SIZE // BLOCK_SIZE
VERSION = 1
USAGE_PATRON_CARD = 8
IDENTIFIER_SIZE = 16
LIBRARY_SIZE = 9
ISIL_PATTERN = re.compile(r"^([A-Z]{2})-([A-Za-z0-9:/-]{1,9})$")
IDENTIFIER_PATTERN = re.compile(r"^[\x21-\x7e]{1,16}$")


@dataclass(frozen=True)
class LibraryCard:
    """What a patron card carries: its number and the owner library's ISIL."""

    card_number: str
    isil: str


@dataclass(frozen=True)
class CardContents:
    """A card as read: its UID and, when the basic block is valid, the card data."""

    uid: bytes
    card: LibraryCard | None

    def as_json(self) -> dict[str, object]:
        """The CLI's JSON shape."""
        return {
            "uid": self.uid.hex().upper(),
            "card_number": self.card.card_number if self.card else None,
            "isil": self.card.isil if self.card else None,
            "valid": self.card is not None,
        }


def crc16(data: bytes) -> int:
    """CRC-16/CCITT: polynomial 0x1021, initial value 0xFFFF, MSB first, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _crc_input(block: bytes) -> bytes:
    """The bytes the CRC covers: the block without the CRC itself (19-20), then two zero bytes
    (the data model computes it over a 34-byte frame)."""
    return block[:19] + block[21:] + b"\x00\x00"


def encode(card: LibraryCard) -> bytes:
    """The 32-byte basic block for a patron card."""
    if not IDENTIFIER_PATTERN.match(card.card_number):
        raise ValueError("card number must be 1-16 printable ASCII characters")
    match = ISIL_PATTERN.match(card.isil)
    if not match:
        raise ValueError("ISIL must look like NL-XXXX with at most 9 characters after the dash")
    country, library = match.groups()
    block = bytearray(BASIC_BLOCK_SIZE)
    block[0] = VERSION << 4 | USAGE_PATRON_CARD
    block[1] = 1  # parts in item
    block[2] = 1  # part number
    block[3:19] = card.card_number.encode("ascii").ljust(IDENTIFIER_SIZE, b"\0")
    block[21:23] = country.encode("ascii")
    block[23:32] = library.encode("ascii").ljust(LIBRARY_SIZE, b"\0")
    block[19:21] = crc16(_crc_input(bytes(block))).to_bytes(2, "little")
    return bytes(block)


def decode(block: bytes) -> LibraryCard | None:
    """The patron card in a basic block, or None when it is not a valid, encoded patron card."""
    if len(block) != BASIC_BLOCK_SIZE or block[0] != (VERSION << 4 | USAGE_PATRON_CARD):
        return None
    if int.from_bytes(block[19:21], "little") != crc16(_crc_input(block)):
        return None
    try:
        number = block[3:19].rstrip(b"\0").decode("ascii")
        country = block[21:23].decode("ascii")
        library = block[23:32].rstrip(b"\0").decode("ascii")
    except UnicodeDecodeError:
        return None
    return LibraryCard(number, f"{country}-{library}")


def read_card(session: CardSession) -> CardContents:
    """Read the UID and the basic block of the card in `session`."""
    return CardContents(session.uid(), decode(session.read_blocks(0, BASIC_BLOCKS)))


def write_card(session: CardSession, card: LibraryCard) -> CardContents:
    """Write `card` so that an interrupted write reads as not encoded, then verify it."""
    block = encode(card)
    # Block 0 (version and usage type) is the commit marker: clear it first, write the rest,
    # then write block 0 last. Until that final single-block write the card is not valid.
    session.write_blocks(0, bytes(BLOCK_SIZE))
    session.write_blocks(1, block[BLOCK_SIZE:])
    session.write_blocks(0, block[:BLOCK_SIZE])
    if session.read_blocks(0, BASIC_BLOCKS) != block:
        raise WriteVerifyError("the card read back differs from what was written")
    return CardContents(session.uid(), card)


def read_from(reader: CardReader, name: str, timeout: float) -> CardContents:
    """Wait for a card on reader `name` and read it."""
    with reader.connect(name, timeout) as session:
        return read_card(session)


def write_to(reader: CardReader, name: str, card: LibraryCard, timeout: float) -> CardContents:
    """Wait for a card on reader `name`, write `card` to it and read it back."""
    with reader.connect(name, timeout) as session:
        return write_card(session, card)
