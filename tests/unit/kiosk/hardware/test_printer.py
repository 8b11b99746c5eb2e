"""Receipt and slip layouts, checked on the exact ESC/POS bytes a Dummy printer collects."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.hardware.base import PrinterStatus, Receipt
from kiosk.hardware.printer import open_printer
from kiosk.hardware.simulated import SimulatedPrinter
from tests.support.printer import EURO, EURO_CODE_PAGE, NBSP, barcode_command, escpos_bytes

WHEN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam
ADDRESS = ("Dijkhuizen 66", "7961 AM Ruinerwold")
REFERENCE = "0a1b2c3d4e5f60718293"  # a payment's reference: 20 hex characters
CARD = "2100012345678"
HEADER = (
    b"\x1b@"  # ESC @ initialise
    b"\x1ba\x01\x1d!\x11\x1bE\x01"  # centred, double size, bold
    b"\x1bt\x00OBA\n"  # code page 437 selected by escpos before the first text
    b"\x1d!\x00\x1bE\x00Bibliotheek Ruinerwold\nDijkhuizen 66\n7961 AM Ruinerwold\n"
)
TITLE = b"\n\x1ba\x00\x1bE\x01"  # a blank line, then the title left and bold
CUT = b"\x1bd\x06\x1dV\x00"


def receipt(locale: str, title: str, total_label: str, **changes: object) -> Receipt:
    """A payment receipt for two charges in `locale`, headed with Ruinerwold's address."""
    values: dict = {
        "lines": [("Te laat", Decimal("12.50")), ("Reservering", Decimal("2.00"))],
        "total": Decimal("14.50"),
        "total_label": total_label,
        "barcode": REFERENCE,
        "address": ADDRESS,
        "locale": locale,
    }
    return Receipt("OBA", "Bibliotheek Ruinerwold", title, WHEN, **(values | changes))


def test_a_dutch_receipt() -> None:
    printed = escpos_bytes(receipt("nl", "Betaalbewijs", "Totaal"))
    assert printed == (
        HEADER + b"25 november 2026 14:00\n" + TITLE + b"Betaalbewijs\n\x1bE\x00"
        b"Te laat" + b" " * 28 + EURO_CODE_PAGE + EURO + NBSP + b"12,50\n"
        b"Reservering" + b" " * 25 + EURO + NBSP + b"2,00\n" + b"-" * 42 + b"\n"
        b"\x1bE\x01Totaal"
        + b" " * 29
        + EURO
        + NBSP
        + b"14,50\n\x1bE\x00\n"
        + barcode_command(b"{B" + REFERENCE.encode(), width=2)  # 510 of 512 dots
        + CUT
    )


def test_an_english_receipt_has_english_words_and_euros_as_written_here() -> None:
    printed = escpos_bytes(receipt("en_NL", "Payment receipt", "Total"))
    assert printed.startswith(HEADER + b"25 November 2026 14:00\n" + TITLE + b"Payment receipt\n")
    assert b"Te laat" + b" " * 28 + EURO_CODE_PAGE + EURO + NBSP + b"12,50\n" in printed
    assert b"\x1bE\x01Total" + b" " * 30 + EURO + NBSP + b"14,50\n" in printed
    assert printed.endswith(barcode_command(b"{B" + REFERENCE.encode(), width=2) + CUT)


def test_a_card_number_is_a_barcode_of_digit_pairs_in_wider_bars() -> None:
    slip = Receipt(
        "OBA", "Bibliotheek Ruinerwold", "Pas", WHEN, [("Nieuwe pas", None)], barcode=CARD
    )
    pairs = bytes([21, 0, 1, 23, 45, 67])  # code set C: two digits a symbol; the last one in B
    assert escpos_bytes(slip) == (
        b"\x1b@\x1ba\x01\x1d!\x11\x1bE\x01\x1bt\x00OBA\n\x1d!\x00\x1bE\x00"
        b"Bibliotheek Ruinerwold\n25 november 2026 14:00\n" + TITLE + b"Pas\n\x1bE\x00"
        b"Nieuwe pas\n\n" + barcode_command(b"{C" + pairs + b"{B8", width=3) + CUT
    )


def test_a_barcode_too_long_for_the_paper_is_left_out() -> None:
    printed = escpos_bytes(receipt("nl", "Betaalbewijs", "Totaal", barcode="f" * 24))
    assert b"\x1dk" not in printed and printed.endswith(b"\x1bE\x00\n" + CUT)


def test_the_qr_code_follows_the_barcode() -> None:
    printed = escpos_bytes(receipt("nl", "Betaalbewijs", "Totaal", qr="https://x"))
    assert printed.endswith(
        barcode_command(b"{B" + REFERENCE.encode(), width=2)
        + b"\x1ba\x01"  # the QR code, native: model 2, size 6, error level L, store, print
        b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x06\x1d(k\x03\x001E0"
        b"\x1d(k\x0c\x001P0https://x\x1d(k\x03\x001Q0" + CUT
    )


def test_long_lines_are_cut_to_the_paper_width() -> None:
    long = Receipt("OBA", "C" * 50, "T", WHEN, [("x" * 60, Decimal("1")), ("y" * 60, None)])
    printed = escpos_bytes(long)
    assert b"\x1bE\x00" + b"C" * 42 + b"\n" in printed
    assert b"\x1bE\x00" + b"x" * 35 + b" " + EURO_CODE_PAGE + EURO + NBSP + b"1,00\n" in printed
    assert b"y" * 42 + b"\n" in printed


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
    slip = Receipt("OBA", "Centrale", "Pas", WHEN)
    printer.print_receipt(slip)
    assert printer.printed == [slip]
    assert printer.status() is PrinterStatus.OK
