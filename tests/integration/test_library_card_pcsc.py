"""The library card through the real stack: pcscd, vsmartcard's vpcd and a virtual ISO 15693 tag."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.hardware.base import CardNotAnswering, CardRemoved, CardTimeout, ReaderUnavailable
from kiosk.hardware.library_card import LibraryCard, read_from, write_to
from kiosk.hardware.pcsc import PcscCardReader
from tests.support.pcsc import LIBRARY_CARD_READER, VPCD_PORTS, wait_for_card
from tests.support.virtual_library_card import DEFAULT_UID, VirtualLibraryCard

READER = LIBRARY_CARD_READER
CARD = LibraryCard("2100012345678", "NL-AsdOBA")
OLD_CARD = LibraryCard("2100099999999", "NL-HlmBIB")
NOTICE_SECONDS = 5  # pcscd polls the virtual reader every few hundred milliseconds
APDU_SECONDS = 0.5
TI_UID = bytes.fromhex("E007000012345678")  # Texas Instruments; the default tag is NXP ICODE


@contextmanager
def placed(card: VirtualLibraryCard) -> Iterator[VirtualLibraryCard]:
    """The card on the reader for the block; afterwards pcscd has seen it leave."""
    card.insert(VPCD_PORTS[READER])
    try:
        yield card
    finally:
        card.remove()
    assert wait_for_card(READER, present=False, timeout=NOTICE_SECONDS)


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


@pytest.mark.parametrize(
    ("refusing", "other"),
    [(DEFAULT_UID, TI_UID), (DEFAULT_UID[::-1], TI_UID[::-1])],
    ids=["msb-first", "lsb-first"],
)
def test_another_kind_of_tag_gets_a_multi_block_read_again(
    virtual_card: VirtualLibraryCard, refusing: bytes, other: bytes
) -> None:
    reader = PcscCardReader()
    virtual_card.uid, virtual_card.multi_block = refusing, False
    read_from(reader, READER, timeout=NOTICE_SECONDS)
    virtual_card.uid, virtual_card.multi_block = other, True  # as if the patron swapped tags
    virtual_card.apdus.clear()
    assert read_from(reader, READER, timeout=NOTICE_SECONDS).uid == other
    assert [apdu.hex() for apdu in virtual_card.apdus] == ["ffca000000", "ffb0000020"]


def test_silent_card_mid_read_fails_in_time_and_a_fresh_card_reads(
    virtual_card: VirtualLibraryCard,
) -> None:
    reader = PcscCardReader(apdu_timeout=APDU_SECONDS)
    virtual_card.silent_after = 1  # answers GET UID, never the READ BINARY
    assert wait_for_card(READER, present=True, timeout=NOTICE_SECONDS)
    started = time.monotonic()
    with pytest.raises(CardNotAnswering, match="stopped answering within 0.5 s"):
        read_from(reader, READER, timeout=NOTICE_SECONDS)
    assert time.monotonic() - started < APDU_SECONDS + 1  # well short of the 2 s default
    virtual_card.remove()
    assert wait_for_card(READER, present=False, timeout=NOTICE_SECONDS)
    with placed(VirtualLibraryCard(uid=TI_UID)):
        assert read_from(reader, READER, timeout=NOTICE_SECONDS).uid == TI_UID


def test_silent_card_mid_write_reads_as_not_encoded_when_placed_again(
    virtual_card: VirtualLibraryCard,
) -> None:
    reader = PcscCardReader(apdu_timeout=APDU_SECONDS)
    write_to(reader, READER, OLD_CARD, timeout=NOTICE_SECONDS)
    virtual_card.apdus.clear()
    virtual_card.silent_after = 3  # block 0 cleared, block 1 written, silent on block 2
    with pytest.raises(CardNotAnswering):
        write_to(reader, READER, CARD, timeout=NOTICE_SECONDS)
    virtual_card.remove()
    assert wait_for_card(READER, present=False, timeout=NOTICE_SECONDS)
    virtual_card.silent_after = None
    virtual_card.insert(VPCD_PORTS[READER])
    assert read_from(reader, READER, timeout=NOTICE_SECONDS).card is None
    assert write_to(reader, READER, CARD, timeout=NOTICE_SECONDS).card == CARD


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
