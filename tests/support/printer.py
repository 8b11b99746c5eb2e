"""What a receipt printer is sent: the ESC/POS bytes python-escpos's Dummy printer collects."""

from kiosk.hardware.base import Receipt
from kiosk.hardware.printer import open_printer

EURO = b"\xa4"  # in the code page escpos selects for it (ISO 8859-15: ESC t 15)
EURO_CODE_PAGE = b"\x1bt\x0f"
NBSP = b"\xa0"  # between the euro sign and the amount, as Babel writes it


def escpos_bytes(receipt: Receipt) -> bytes:
    """The bytes a Dummy printer collected for `receipt`."""
    printer = open_printer("dummy")
    printer.print_receipt(receipt)
    return bytes(printer.device.output)


def barcode_command(data: bytes, width: int) -> bytes:
    """A CODE128 barcode as the kiosk prints it: centred (ESC a 1), 80 dots high (GS h), bars
    `width` dots wide (GS w), its text in font A (GS f 0) below it (GS H 2), then GS k 73 with
    the data's length and the data."""
    size = b"\x1dhP\x1dw" + bytes([width])
    return b"\x1ba\x01" + size + b"\x1df\x00\x1dH\x02\x1dkI" + bytes([len(data)]) + data


def printed_barcodes(escpos: bytes) -> list[str]:
    """The text of every CODE128 barcode (GS k 73) in `escpos`, decoded from its code sets as a
    scanner would: "{B" printable characters, "{C" digit pairs, "{{" a literal "{"."""
    found, start = [], escpos.find(b"\x1dkI")
    while start != -1:
        length = escpos[start + 3]
        found.append(_decoded(escpos[start + 4 : start + 4 + length]))
        start = escpos.find(b"\x1dkI", start + 4 + length)
    return found


def _decoded(data: bytes) -> str:
    """CODE128 data for GS k 73 as text."""
    text, code_set, index = [], "", 0
    while index < len(data):
        if data[index : index + 2] in (b"{B", b"{C"):
            code_set, index = chr(data[index + 1]), index + 2
        elif code_set == "C":
            text.append(f"{data[index]:02d}")
            index += 1
        else:
            text.append(chr(data[index]))
            index += 2 if data[index : index + 2] == b"{{" else 1
    return "".join(text)
