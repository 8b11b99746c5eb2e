"""Receipt printers through python-escpos: the receipt/slip layout and printer status."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from decimal import Decimal
from typing import Any

from kiosk.hardware.barcode import code128, module_width
from kiosk.hardware.base import PrinterStatus, Receipt

WIDTH = 42  # characters per line in font A on 80 mm paper
INIT = b"\x1b@"  # ESC @: forget whatever a previous job left set
ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01"}  # ESC a n
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"  # ESC E n
BIG, NORMAL = b"\x1d!\x11", b"\x1d!\x00"  # GS ! n: double width and height, or normal
BAR_HEIGHT = 80  # dots: 11 mm, an easy aim for a hand scanner
PROFILE = "TM-T88V"


def _row(receipt: Receipt, text: str, amount: Decimal | None) -> str:
    """One line: text on the left, the amount (if any) right-aligned in the receipt's language."""
    if amount is None:
        return f"{text[:WIDTH]}\n"
    figure = receipt.money(amount)
    return f"{text[: WIDTH - len(figure) - 1]:<{WIDTH - len(figure)}}{figure}\n"


def _header(device: Any, receipt: Receipt) -> None:
    """Library, branch, its address and the local date and time, centred; then the title."""
    device._raw(INIT + ALIGN["center"] + BIG + BOLD_ON)
    device.text(f"{receipt.library}\n")
    device._raw(NORMAL + BOLD_OFF)
    for line in (receipt.branch, *receipt.address, receipt.when()):
        device.text(f"{line[:WIDTH]}\n")
    device.text("\n")
    device._raw(ALIGN["left"] + BOLD_ON)
    device.text(f"{receipt.title}\n")
    device._raw(BOLD_OFF)


def _body(device: Any, receipt: Receipt) -> None:
    """The lines and, on a receipt, the total."""
    for text, amount in receipt.lines:
        device.text(_row(receipt, text, amount))
    if receipt.total is not None:
        device.text("-" * WIDTH + "\n")
        device._raw(BOLD_ON)
        device.text(_row(receipt, receipt.total_label, receipt.total))
        device._raw(BOLD_OFF)


def _codes(device: Any, receipt: Receipt) -> None:
    """The barcode (centred, its text below) and the optional QR code."""
    device.text("\n")
    if receipt.barcode:
        _barcode(device, receipt.barcode)
    if receipt.qr:
        device._raw(ALIGN["center"])
        device.qr(receipt.qr, native=True, size=6)


def _barcode(device: Any, text: str) -> None:
    """`text` as CODE128 in the widest bars that fit, with the text in font A below it; nothing
    when it cannot fit the paper (the receipt's lines say it anyway)."""
    data, symbols = code128(text)
    width = module_width(symbols)
    if width is None:
        return
    with redirect_stdout(io.StringIO()):  # escpos print()s its renderer choice to stdout
        device.barcode(
            data,
            "CODE128",
            height=BAR_HEIGHT,
            width=width,
            pos="BELOW",
            font="A",
            function_type="B",
        )


def render(device: Any, receipt: Receipt) -> None:
    """Send one receipt or slip to an escpos device, ending with a cut."""
    _header(device, receipt)
    _body(device, receipt)
    _codes(device, receipt)
    device.cut()


class EscposPrinter:
    """A receipt printer driven by python-escpos."""

    def __init__(self, device: Any, can_query: bool):
        self.device = device
        self._can_query = can_query

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt or slip."""
        render(self.device, receipt)

    def status(self) -> PrinterStatus:
        """Online and paper status (DLE EOT); UNKNOWN when the connection cannot read."""
        if not self._can_query:
            return PrinterStatus.UNKNOWN
        if not self.device.is_online():
            return PrinterStatus.OFFLINE
        paper = self.device.paper_status()
        return {0: PrinterStatus.PAPER_OUT, 1: PrinterStatus.PAPER_LOW}.get(paper, PrinterStatus.OK)


def open_printer(spec: str) -> EscposPrinter:
    """A printer from `dummy`, `file:PATH`, `usb:VID:PID` or `network:HOST[:PORT]`."""
    from escpos import printer

    kind, _, target = spec.partition(":")
    if kind == "dummy":
        return EscposPrinter(printer.Dummy(profile=PROFILE), can_query=False)
    if kind == "file" and target:
        return EscposPrinter(printer.File(target, profile=PROFILE), can_query=False)
    if kind == "usb" and target.count(":") == 1:
        vendor, product = (int(part, 16) for part in target.split(":"))
        return EscposPrinter(printer.Usb(vendor, product, profile=PROFILE), can_query=True)
    if kind == "network" and target:
        host, _, port = target.partition(":")
        device = printer.Network(host, port=int(port or 9100), profile=PROFILE)
        return EscposPrinter(device, can_query=True)
    raise ValueError(f"unknown printer {spec!r}: use dummy, file:PATH, usb:VID:PID, network:HOST")
