"""Receipt and slip layouts, checked on the exact ESC/POS bytes a Dummy printer collects."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.hardware.base import PrinterStatus, Receipt
from kiosk.hardware.printer import open_printer
from kiosk.hardware.simulated import SimulatedPrinter

WHEN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam
HEADER = (
    b"\x1b@"  # ESC @ initialise
    b"\x1ba\x01\x1d!\x11\x1bE\x01"  # centred, double size, bold
    b"\x1bt\x00OBA\n"  # code page 437 selected by escpos before the first text
    b"\x1d!\x00\x1bE\x00Centrale\n25-11-2026 14:00\n\n"
    b"\x1ba\x00\x1bE\x01"
)
BARCODE = (
    b"\x1ba\x01\x1dh@\x1dw\x03\x1df\x00\x1dH\x02"  # centred, height 64, width 3, font A, HRI below
    b"\x1dkI\x0f{B2100012345678"  # GS k 73: CODE128, 15 bytes, code set B
)
CUT = b"\x1bd\x06\x1dV\x00"
EURO = b"\x1bt\x0f\xa4"  # escpos switches to a code page with the euro sign (ISO 8859-15)


def _printed(receipt: Receipt) -> bytes:
    """The bytes a Dummy printer collected for `receipt`."""
    printer = open_printer("dummy")
    printer.print_receipt(receipt)
    return printer.device.output


def test_receipt_bytes() -> None:
    receipt = Receipt(
        "OBA",
        "Centrale",
        "Betaling",
        WHEN,
        [("Jaarabonnement", Decimal("42.50")), ("Pas", None)],
        total=Decimal("42.50"),
        card_number="2100012345678",
        qr="https://x",
    )
    assert (
        _printed(receipt)
        == (
            HEADER + b"Betaling\n\x1bE\x00"
            b"Jaarabonnement                     " + EURO + b"\xa042,50\nPas\n" + b"-" * 42 + b"\n"
            b"\x1bE\x01Total                              \xa4\xa042,50\n\x1bE\x00\n"
            + BARCODE
            + b"\x1ba\x01"  # the QR code, native: model 2, size 6, error level L, store, print
            b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x06\x1d(k\x03\x001E0"
            b"\x1d(k\x0c\x001P0https://x\x1d(k\x03\x001Q0" + CUT
        )
    )


def test_slip_has_no_total_and_no_qr() -> None:
    slip = Receipt(
        "OBA", "Centrale", "Pas", WHEN, [("Nieuwe pas", None)], card_number="2100012345678"
    )
    assert _printed(slip) == HEADER + b"Pas\n\x1bE\x00Nieuwe pas\n\n" + BARCODE + CUT


def test_long_lines_are_cut_to_the_paper_width() -> None:
    receipt = Receipt("OBA", "C", "T", WHEN, [("x" * 60, Decimal("1")), ("y" * 60, None)])
    printed = _printed(receipt)
    assert b"\x1bE\x00" + b"x" * 35 + b" " + EURO + b"\xa01,00\n" + b"y" * 42 + b"\n" in printed


def test_amounts_are_written_in_the_receipts_language() -> None:
    receipt = Receipt("OBA", "C", "Payment", WHEN, [("Fee", Decimal("1242.5"))], locale="en")
    assert b"Fee" + b" " * 30 + EURO + b"1,242.50\n" in _printed(receipt)


def test_dummy_and_file_printers_cannot_report_status(tmp_path) -> None:
    assert open_printer("dummy").status() is PrinterStatus.UNKNOWN
    file_printer = open_printer(f"file:{tmp_path / 'out.bin'}")
    assert file_printer.status() is PrinterStatus.UNKNOWN
    file_printer.device.close()


@pytest.mark.parametrize("spec", ["", "file:", "usb:04b8", "network:", "lpt"])
def test_unknown_printer_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        open_printer(spec)


def test_simulated_printer_records_receipts() -> None:
    printer = SimulatedPrinter()
    receipt = Receipt("OBA", "Centrale", "Pas", WHEN)
    printer.print_receipt(receipt)
    assert printer.printed == [receipt]
    assert printer.status() is PrinterStatus.OK
