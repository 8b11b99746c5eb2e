"""Reading a virtual eMRTD through the real stack: pcscd, vsmartcard's vpcd and pyscard."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.hardware.emrtd import read_document
from kiosk.hardware.emrtd.errors import AccessDenied, ChipNotAnswering, DocumentRemoved
from tests.support.pcsc import VPCD_PORTS, wait_for_card
from tests.support.virtual_emrtd import EF_DG2, TD1, TD3, VirtualEmrtd
from tests.support.virtual_emrtd import SPECIMEN_READ as PASSPORT

READER = "Virtual PCD 00 00"


@contextmanager
def inserted(card: VirtualEmrtd) -> Iterator[VirtualEmrtd]:
    """The card on READER for the block; afterwards pcscd has seen it leave."""
    with card:
        assert wait_for_card(READER, present=True, timeout=5)
        yield card
    assert wait_for_card(READER, present=False, timeout=5)


def place_again(attempts: int = 5) -> VirtualEmrtd:
    """Insert a fresh card, re-placing it until pcscd sees it (as a patron would)."""
    for _ in range(attempts):
        card = VirtualEmrtd(TD3, port=VPCD_PORTS[READER]).insert()
        if wait_for_card(READER, present=True, timeout=2):
            return card
        card.remove()
    pytest.fail("the reader never saw the card again")


def never_touched_dg2(card: VirtualEmrtd) -> bool:
    """True when DG2 was neither selected nor read by short file identifier."""
    by_sfi = any(apdu[1] == 0xB0 and apdu[2] == 0x82 for apdu in card.commands)
    return EF_DG2 not in card.selected and not by_sfi


@pytest.mark.parametrize(("mrz", "document_type"), [(TD3, "P"), (TD1, "I")])
def test_reads_document(pcscd: tuple[str, ...], mrz: str, document_type: str) -> None:
    with inserted(VirtualEmrtd(mrz, port=VPCD_PORTS[READER])) as card:
        result = read_document(READER, mrz.replace("|", "\n"), timeout=5)
    assert result == {**PASSPORT, "document_type": document_type}
    assert never_touched_dg2(card)


def test_reads_with_typed_fields_in_few_apdus(pcscd: tuple[str, ...]) -> None:
    with inserted(VirtualEmrtd(TD3, port=VPCD_PORTS[READER])) as card:
        read_document(READER, ("L898902C3", "740812", "120415"), timeout=5)
    sod_reads = 1 + -(-(len(card.files[0x011D]) - 4) // 0xE7)
    assert len(card.commands) == 10 + sod_reads, "the time is measured by make bench"


def test_wrong_mrz_is_refused(pcscd: tuple[str, ...]) -> None:
    card = VirtualEmrtd(TD3, port=VPCD_PORTS[READER])
    with inserted(card), pytest.raises(AccessDenied) as caught:
        read_document(READER, ("L898902C3", "740812", "120416"), timeout=5)
    assert "L898902C3" not in str(caught.value)
    assert card.selected == [] and never_touched_dg2(card)


def test_card_removed_mid_read_then_reinserted(pcscd: tuple[str, ...]) -> None:
    """After a card vanished mid-APDU vpcd ignores a card connecting within ~3 s: retry."""
    removed = pytest.raises(DocumentRemoved, match="removed during the read")
    with inserted(VirtualEmrtd(TD3, port=VPCD_PORTS[READER], remove_after=6)), removed:
        read_document(READER, TD3, timeout=5)
    card = place_again()
    try:
        assert read_document(READER, TD3, timeout=5) == PASSPORT
    finally:
        card.remove()
    assert wait_for_card(READER, present=False, timeout=5)


def test_silent_chip(pcscd: tuple[str, ...]) -> None:
    silent = pytest.raises(ChipNotAnswering, match="did not answer")
    with inserted(VirtualEmrtd(TD3, port=VPCD_PORTS[READER], silent_after=4)), silent:
        read_document(READER, TD3, timeout=5, apdu_timeout=0.5)


def test_no_document_in_time(pcscd: tuple[str, ...]) -> None:
    with pytest.raises(DocumentRemoved, match="no document"):
        read_document(READER, TD3, timeout=0.3)
