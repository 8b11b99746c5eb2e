"""The simulated card reader and the registry that picks real or simulated readers."""

import threading

import pytest

from kiosk.hardware import config
from kiosk.hardware.base import CardTimeout, ReaderUnavailable
from kiosk.hardware.library_card import LibraryCard, read_from, write_to
from kiosk.hardware.pcsc import PcscCardReader
from kiosk.hardware.simulated import SIMULATED_READER, SimulatedCardReader, SimulatedTag

CARD = LibraryCard("2100012345678", "NL-AsdOBA")


def test_write_and_read_a_simulated_card() -> None:
    reader = SimulatedCardReader()
    reader.place(SIMULATED_READER, SimulatedTag())
    assert write_to(reader, SIMULATED_READER, CARD, timeout=0).card == CARD
    assert read_from(reader, SIMULATED_READER, timeout=0).card == CARD


def test_waiting_notices_a_card_placed_later() -> None:
    reader = SimulatedCardReader()
    timer = threading.Timer(0.05, reader.place, (SIMULATED_READER, SimulatedTag()))
    timer.start()
    assert reader.wait_for_card(SIMULATED_READER, present=True, timeout=5)
    timer.join()
    reader.place(SIMULATED_READER, None)
    assert reader.wait_for_card(SIMULATED_READER, present=False, timeout=0)


def test_no_card_times_out_and_unknown_readers_are_unavailable() -> None:
    reader = SimulatedCardReader()
    with pytest.raises(CardTimeout):
        read_from(reader, SIMULATED_READER, timeout=0.01)
    with pytest.raises(ReaderUnavailable):
        reader.wait_for_card("elsewhere", present=True, timeout=0)


def test_registry_defaults_to_simulated_and_knows_pcsc() -> None:
    assert isinstance(config.card_reader({}), SimulatedCardReader)
    assert isinstance(config.card_reader({"KIOSK_READER": "pcsc"}), PcscCardReader)
    assert isinstance(config.card_reader({}, default="pcsc"), PcscCardReader)
    with pytest.raises(ValueError, match="KIOSK_READER"):
        config.card_reader({"KIOSK_READER": "nfc"})
