"""The registry: which device implementation to use, chosen by KIOSK_* environment variables."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from kiosk.hardware.base import CardReader, DocumentReader, Printer, Scanner

SIMULATED = "simulated"


def _setting(environ: Mapping[str, str], name: str, default: str) -> str:
    """One KIOSK_ variable, stripped, or the default."""
    return environ.get(f"KIOSK_{name}", "").strip() or default


def card_reader(environ: Mapping[str, str] = os.environ, default: str = SIMULATED) -> CardReader:
    """KIOSK_READER: `pcsc` (pcscd) or `simulated`."""
    choice = _setting(environ, "READER", default)
    if choice == "pcsc":
        from kiosk.hardware.pcsc import PcscCardReader

        return PcscCardReader()
    if choice == SIMULATED:
        from kiosk.hardware.simulated import SimulatedCardReader

        return SimulatedCardReader()
    raise ValueError(f"KIOSK_READER={choice!r}: use pcsc or simulated")


def printer(environ: Mapping[str, str] = os.environ) -> Printer:
    """KIOSK_PRINTER: `simulated`, `dummy`, `file:PATH`, `usb:VID:PID` or `network:HOST[:PORT]`."""
    choice = _setting(environ, "PRINTER", SIMULATED)
    if choice == SIMULATED:
        from kiosk.hardware.simulated import SimulatedPrinter

        return SimulatedPrinter()
    from kiosk.hardware.printer import open_printer

    return open_printer(choice)


def scanner(environ: Mapping[str, str] = os.environ) -> Scanner:
    """KIOSK_SCANNER: `stdin` (a keyboard-wedge scanner typing into the terminal) or `simulated`."""
    choice = _setting(environ, "SCANNER", SIMULATED)
    if choice == "stdin":
        from kiosk.hardware.scanner import LineScanner

        return LineScanner(sys.stdin)
    if choice == SIMULATED:
        from kiosk.hardware.simulated import SimulatedScanner

        return SimulatedScanner()
    raise ValueError(f"KIOSK_SCANNER={choice!r}: use stdin or simulated")


def _path_setting(environ: Mapping[str, str], name: str) -> Path | None:
    """One KIOSK_ variable as a path, or None when it is not set."""
    value = _setting(environ, name, "")
    return Path(value) if value else None


def document_reader(
    environ: Mapping[str, str] = os.environ, default: str = SIMULATED
) -> DocumentReader:
    """KIOSK_DOCUMENT_READER: `pcsc` (the ICAO 9303 chip reader) or `simulated`."""
    choice = _setting(environ, "DOCUMENT_READER", default)
    if choice == "pcsc":
        return _chip_reader(environ)
    if choice == SIMULATED:
        from kiosk.hardware.simulated import SimulatedDocumentReader

        return SimulatedDocumentReader()
    raise ValueError(f"KIOSK_DOCUMENT_READER={choice!r}: use pcsc or simulated")


def _chip_reader(environ: Mapping[str, str]) -> DocumentReader:
    """The ICAO 9303 chip reader (kiosk.hardware.emrtd), imported when first needed; with
    KIOSK_CSCA_DIR (CSCA certificates and master lists) and/or KIOSK_CSCA_MASTER_LIST (an ICAO
    master list), loaded once here, it also checks the document signer's chain."""
    from kiosk.hardware.emrtd import read_document
    from kiosk.hardware.emrtd.trust_anchors import load_trust_anchors

    anchors = load_trust_anchors(
        _path_setting(environ, "CSCA_DIR"), _path_setting(environ, "CSCA_MASTER_LIST")
    )
    return functools.partial(read_document, trust_anchors=anchors)
