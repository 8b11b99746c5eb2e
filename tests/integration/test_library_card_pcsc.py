"""The library card through the real stack: pcscd, vsmartcard's vpcd and a virtual ISO 15693 tag."""

import os
import subprocess
import sys

import pytest

from kiosk.hardware.base import CardRemoved, CardTimeout, ReaderUnavailable
from kiosk.hardware.library_card import LibraryCard, read_from, write_to
from kiosk.hardware.pcsc import PcscCardReader
from tests.support.pcsc import LIBRARY_CARD_READER, VPCD_PORTS, wait_for_card
from tests.support.virtual_library_card import DEFAULT_UID, VirtualLibraryCard

READER = LIBRARY_CARD_READER
CARD = LibraryCard("2100012345678", "NL-AsdOBA")
OLD_CARD = LibraryCard("2100099999999", "NL-HlmBIB")
NOTICE_SECONDS = 5  # pcscd polls the virtual reader every few hundred milliseconds


def test_reads_the_uid_of_a_blank_card(virtual_card: VirtualLibraryCard) -> None:
    contents = read_from(PcscCardReader(), READER, timeout=NOTICE_SECONDS)
    assert contents.uid == DEFAULT_UID
    assert contents.card is None


def test_write_reads_back_what_was_written(virtual_card: VirtualLibraryCard) -> None:
    reader = PcscCardReader()
    assert write_to(reader, READER, CARD, timeout=NOTICE_SECONDS).card == CARD
    assert read_from(reader, READER, timeout=NOTICE_SECONDS).card == CARD


def test_reads_the_whole_block_in_one_apdu(virtual_card: VirtualLibraryCard) -> None:
    read_from(PcscCardReader(), READER, timeout=NOTICE_SECONDS)
    assert [apdu.hex() for apdu in virtual_card.apdus] == ["ffca000000", "ffb0000020"]


def test_falls_back_to_single_blocks_once(virtual_card: VirtualLibraryCard) -> None:
    virtual_card.multi_block = False
    reader = PcscCardReader()
    read_from(reader, READER, timeout=NOTICE_SECONDS)
    virtual_card.apdus.clear()
    read_from(reader, READER, timeout=NOTICE_SECONDS)
    assert [apdu.hex() for apdu in virtual_card.apdus] == ["ffca000000"] + [
        f"ffb0000{block}04" for block in range(8)
    ]


@pytest.mark.parametrize("writes", [1, 4, 8])
def test_card_removed_mid_write_reads_as_not_encoded_after_reinsert(
    virtual_card: VirtualLibraryCard, writes: int
) -> None:
    reader = PcscCardReader()
    write_to(reader, READER, OLD_CARD, timeout=NOTICE_SECONDS)
    virtual_card.writes_before_removal = writes
    with pytest.raises(CardRemoved):
        write_to(reader, READER, CARD, timeout=NOTICE_SECONDS)
    assert wait_for_card(READER, present=False, timeout=NOTICE_SECONDS)
    virtual_card.writes_before_removal = None
    virtual_card.insert(VPCD_PORTS[READER])
    assert read_from(reader, READER, timeout=NOTICE_SECONDS).card is None
    assert write_to(reader, READER, CARD, timeout=NOTICE_SECONDS).card == CARD


def test_no_card_times_out(pcscd: tuple[str, ...]) -> None:
    with pytest.raises(CardTimeout):
        read_from(PcscCardReader(), READER, timeout=0.2)


def test_unknown_reader_is_unavailable(pcscd: tuple[str, ...]) -> None:
    with pytest.raises(ReaderUnavailable):
        PcscCardReader().wait_for_card("No such reader", present=True, timeout=0.2)


def test_no_pcscd_means_reader_unavailable() -> None:
    """pcsc-lite looks for the daemon at PCSCLITE_CSOCK_NAME: point it where none listens."""
    code = (
        "from kiosk.hardware.base import ReaderUnavailable\n"
        "from kiosk.hardware.pcsc import PcscCardReader\n"
        "try:\n    PcscCardReader().readers()\n"
        "except ReaderUnavailable as error:\n    print(type(error).__name__, error)\n"
    )
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd.comm"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.stdout.startswith("ReaderUnavailable card reader service unavailable")
    assert result.stderr == ""
