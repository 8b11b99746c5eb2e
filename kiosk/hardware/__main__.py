"""The hardware CLI: exercise each kiosk device by hand (`python -m kiosk.hardware --help`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from decimal import Decimal

from kiosk.hardware import config
from kiosk.hardware.base import (
    CANNOT_PRINT,
    CardReader,
    HardwareError,
    MrzInput,
    Printer,
    Receipt,
)
from kiosk.hardware.library_card import LibraryCard, read_from, write_to
from shared.clock import SYSTEM_CLOCK

DEFAULT_TIMEOUT = 10.0


def _reader() -> CardReader:
    """The configured card reader; by hand that means pcscd unless KIOSK_READER says otherwise."""
    return config.card_reader(os.environ, default="pcsc")


def list_readers(_args: argparse.Namespace) -> None:
    """Print one reader name per line."""
    for name in _reader().readers():
        print(name)


def card_read(args: argparse.Namespace) -> None:
    """Print the card on the reader as JSON."""
    print(json.dumps(read_from(_reader(), args.reader, args.timeout).as_json()))


def card_write(args: argparse.Namespace) -> None:
    """Write a patron card, read it back and print what was read."""
    card = LibraryCard(args.card_number, args.isil)
    print(json.dumps(write_to(_reader(), args.reader, card, args.timeout).as_json()))


def _mrz_input(args: argparse.Namespace) -> MrzInput:
    """The MRZ lines, or the three hand-typed fields."""
    if args.mrz:
        return "\n".join(args.mrz.split("|"))
    if not (args.document_number and args.birth_date and args.expiry_date):
        raise ValueError("give --mrz, or --document-number, --birth-date and --expiry-date")
    return (args.document_number, args.birth_date, args.expiry_date)


def id_read(args: argparse.Namespace) -> None:
    """Read an ID document's chip and print the holder's data as JSON."""
    try:
        read_document = config.document_reader(default="pcsc")
        from kiosk.hardware.emrtd.errors import EmrtdError
    except ImportError:
        raise HardwareError("the ID-document reader (kiosk.hardware.emrtd) is missing") from None
    try:
        print(json.dumps(read_document(args.reader, _mrz_input(args), args.timeout)))
    except EmrtdError as error:
        raise HardwareError(str(error)) from None
    except Exception as error:  # the contract is one line on stderr, never a traceback
        raise HardwareError(f"ID-document read failed: {type(error).__name__}: {error}") from None


def print_test(_args: argparse.Namespace) -> None:
    """Print a test receipt on the configured printer; fail when it reports it cannot print."""
    from escpos.exceptions import Error as EscposError

    printer = config.printer()
    _require_printable(printer)
    try:
        _print_test_receipt(printer)
    except (OSError, EscposError) as error:
        raise HardwareError(f"printing failed: {type(error).__name__}: {error}") from None
    _require_printable(printer)
    print(f"printed a test receipt; printer status: {printer.status().value}")


def _require_printable(printer: Printer) -> None:
    """Refuse a printer that says it is out of paper or offline (others may not know)."""
    status = printer.status()
    if status in CANNOT_PRINT:
        raise HardwareError(f"printer status: {status.value}")


def _print_test_receipt(printer: Printer) -> None:
    """The test receipt's layout."""
    printer.print_receipt(
        Receipt(
            library="OpenBalie",
            branch="Test branch",
            address=("Teststraat 1", "1234 AB Teststad"),
            title="Test receipt",
            printed_at=SYSTEM_CLOCK.now(),
            lines=[("Test line", Decimal("1.00")), ("Second line", None)],
            total=Decimal("1.00"),
            barcode="1234567890",
            qr="https://example.org/openbalie",
        )
    )


def _parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.hardware", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("readers", help="list card readers").set_defaults(run=list_readers)
    card = commands.add_parser("card", help="library cards").add_subparsers(required=True)
    _card_reader(card.add_parser("read", help="read a library card"), card_read)
    write = _card_reader(card.add_parser("write", help="write a library card"), card_write)
    write.add_argument("--card-number", required=True)
    write.add_argument("--isil", required=True)
    ident = commands.add_parser("id", help="ID documents").add_subparsers(required=True)
    read = _card_reader(ident.add_parser("read", help="read an ID document's chip"), id_read)
    for option in ("--document-number", "--birth-date", "--expiry-date", "--mrz"):
        read.add_argument(option)
    printing = commands.add_parser("print", help="receipt printer").add_subparsers(required=True)
    printing.add_parser("test", help="print a test receipt").set_defaults(run=print_test)
    return parser


def _card_reader(
    parser: argparse.ArgumentParser, run: Callable[[argparse.Namespace], None]
) -> argparse.ArgumentParser:
    """Add --reader and --timeout to a command that waits for a card."""
    parser.add_argument("--reader", required=True)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.set_defaults(run=run)
    return parser


def _redacted(message: str, args: argparse.Namespace) -> str:
    """The message with the document number and MRZ lines, if given, blanked out."""
    mrz = getattr(args, "mrz", None) or ""
    for secret in [getattr(args, "document_number", None), *mrz.split("|")]:
        if secret:
            message = message.replace(secret, "***")
    return message


def main(argv: list[str] | None = None) -> int:
    """Run one command; a one-line reason and status 1 on failure."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except (HardwareError, ValueError) as error:
        print(f"error: {_redacted(str(error), args)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
