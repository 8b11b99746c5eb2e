"""The ISO 28560-3 basic block of a patron card, and the write order that survives removal."""

import pytest

from kiosk.hardware.base import CardRemoved, WriteVerifyError
from kiosk.hardware.library_card import (
    LibraryCard,
    crc16,
    decode,
    encode,
    read_card,
    write_card,
)
from kiosk.hardware.simulated import SimulatedTag

CARD = LibraryCard("2100012345678", "NL-AsdOBA")
OLD_CARD = LibraryCard("2100099999999", "NL-HlmBIB")
EXPECTED_BLOCK = bytes.fromhex(
    "18 01 01 32313030303132333435363738 000000"  # version 1, patron card, 1 of 1, number
    "B407"  # CRC-16 0x07B4, least significant byte first
    "4E4C 4173644F4241 000000"  # NL, AsdOBA
)


def test_crc_is_ccitt_with_initial_ffff() -> None:
    assert crc16(b"123456789") == 0x29B1


def test_crc_matches_a_published_danish_data_model_tag() -> None:
    # A circulating item of a German library ("DE", "705"), from libdanrfid's CRC test.
    block = bytes.fromhex("11010131313232333334340000000000000000513e4445373035000000000000")
    assert crc16(block[:19] + block[21:] + bytes(2)) == int.from_bytes(block[19:21], "little")


def test_encode_gives_the_documented_bytes() -> None:
    assert encode(CARD) == EXPECTED_BLOCK


def test_decode_round_trips() -> None:
    assert decode(encode(CARD)) == CARD


@pytest.mark.parametrize("position", [0, 5, 19, 20, 22, 31])
def test_any_changed_byte_reads_as_not_encoded(position: int) -> None:
    block = bytearray(EXPECTED_BLOCK)
    block[position] ^= 0x01
    assert decode(bytes(block)) is None


def test_blank_card_reads_as_not_encoded() -> None:
    assert decode(bytes(32)) is None


@pytest.mark.parametrize(
    "card",
    [
        LibraryCard("", "NL-AsdOBA"),
        LibraryCard("1" * 17, "NL-AsdOBA"),
        LibraryCard("12 3", "NL-X"),
        LibraryCard("123", "NLAsdOBA"),
        LibraryCard("123", "NL-TooLongName"),
    ],
)
def test_out_of_range_fields_are_refused(card: LibraryCard) -> None:
    with pytest.raises(ValueError):
        encode(card)


def test_write_then_read_back() -> None:
    tag = SimulatedTag()
    assert write_card(tag, CARD).card == CARD
    assert read_card(tag).card == CARD


class PulledTag(SimulatedTag):
    """A tag taken off the reader after a number of single-block writes."""

    def __init__(self, writes_left: int):
        super().__init__()
        self.writes_left = writes_left

    def write_blocks(self, first: int, data: bytes) -> None:
        """Write block by block until the tag is pulled."""
        for offset in range(0, len(data), 4):
            if self.writes_left == 0:
                raise CardRemoved("pulled")
            self.writes_left -= 1
            super().write_blocks(first + offset // 4, data[offset : offset + 4])


def _pulled_during_rewrite(writes: int) -> PulledTag:
    """A tag holding OLD_CARD, pulled after `writes` block writes of CARD."""
    tag = PulledTag(writes_left=99)
    write_card(tag, OLD_CARD)
    tag.writes_left = writes
    with pytest.raises(CardRemoved):
        write_card(tag, CARD)
    return tag


@pytest.mark.parametrize("writes", range(1, 9))  # the full write is 9 single-block writes
def test_card_pulled_mid_write_reads_as_not_encoded(writes: int) -> None:
    assert read_card(_pulled_during_rewrite(writes)).card is None


def test_card_pulled_before_the_first_write_keeps_its_old_data() -> None:
    assert read_card(_pulled_during_rewrite(0)).card == OLD_CARD


class LockedTag(SimulatedTag):
    """A tag whose last block is write-protected: writes to it are acknowledged but lost."""

    def write_blocks(self, first: int, data: bytes) -> None:
        """Write all but block 7."""
        super().write_blocks(first, data[: max(0, (7 - first) * 4)])


def test_a_write_that_did_not_stick_is_reported() -> None:
    with pytest.raises(WriteVerifyError):
        write_card(LockedTag(), CARD)
