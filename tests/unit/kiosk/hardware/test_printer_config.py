"""KIOSK_PRINTER picks the simulated printer or an escpos connection."""

import pytest

from kiosk.hardware import config
from kiosk.hardware.printer import EscposPrinter
from kiosk.hardware.simulated import SimulatedPrinter


def test_simulated_is_the_default() -> None:
    assert isinstance(config.printer({}), SimulatedPrinter)


def test_dummy_is_an_escpos_printer() -> None:
    assert isinstance(config.printer({"KIOSK_PRINTER": "dummy"}), EscposPrinter)


def test_unknown_printer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown printer"):
        config.printer({"KIOSK_PRINTER": "lpt1"})
