"""The control panel of the embedded default: drive the simulated devices from a browser.

Registered only when KIOSK_DEV_PANEL is on (never in production)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kiosk.context import kiosk
from kiosk.demo import blank_tag, card_tag, demo_document, tag_number
from kiosk.hardware.base import PrinterStatus
from kiosk.hardware.simulated import (
    SimulatedCardReader,
    SimulatedDocumentReader,
    SimulatedPrinter,
    SimulatedScanner,
    SimulatedTag,
)
from shared.demo.numbers import DEMO_CARD

bp = Blueprint("dev", __name__, url_prefix="/dev")
DEVICE_KINDS = {
    "card_reader": SimulatedCardReader,
    "document_reader": SimulatedDocumentReader,
    "printer": SimulatedPrinter,
    "scanner": SimulatedScanner,
}


@bp.get("")
def panel() -> str:
    """Every simulated device, what it holds, and buttons to change that."""
    devices = kiosk().devices
    return render_template(
        "kiosk/dev/panel.html",
        simulated={name: _simulated(name) is not None for name in DEVICE_KINDS},
        tags=[(uid, tag_number(tag)) for uid, tag in _tags().items()],
        document=_state().get("document"),
        printer_state=getattr(devices.printer, "state", None),
        printer_states=[state.value for state in PrinterStatus],
        printed=list(reversed(getattr(devices.printer, "printed", [])))[:5],
        payment=_current_payment(),
        sandbox_url=current_app.config["KIOSK_SANDBOX_URL"],
        demo_card=DEMO_CARD,
    )


@bp.post("/kaart")
def place_card() -> Response:
    """Lay a card on the reader: a known one, a new demo card for a number, or a blank one."""
    number, uid = request.form.get("card_number", "").strip(), request.form.get("uid", "")
    tag = _tags().get(uid) or (card_tag(number) if number else blank_tag())
    _tags()[tag.uid().hex()] = tag
    return _on_reader(tag)


@bp.post("/kaart-weg")
def remove_card() -> Response:
    """Take the card off the reader."""
    return _on_reader(None)


@bp.post("/document")
def place_document() -> Response:
    """Lay an ID document with the form's holder on the reader."""
    reader = _simulated("document_reader")
    if reader is not None:
        form = request.form
        birth = date.fromisoformat(form.get("birth_date") or "1985-04-15")
        document = demo_document(
            form.get("surname", ""), form.get("given_names", ""), birth, form.get("type", "P")
        )
        reader.place(document)
        _state()["document"] = document
    return redirect(url_for("dev.panel"), code=303)


@bp.post("/document-weg")
def remove_document() -> Response:
    """Take the ID document off the reader."""
    reader = _simulated("document_reader")
    if reader is not None:
        reader.place(None)
        _state().pop("document", None)
    return redirect(url_for("dev.panel"), code=303)


@bp.post("/printer")
def set_printer() -> Response:
    """Set the printer's paper state."""
    printer = _simulated("printer")
    if printer is not None:
        printer.state = PrinterStatus(request.form.get("state", "ok"))
    return redirect(url_for("dev.panel"), code=303)


@bp.post("/scanner")
def scan() -> Response:
    """Scan a line (a QR code from the welcome mail, a barcode, MRZ lines)."""
    scanner = _simulated("scanner")
    line = request.form.get("line", "").strip()
    if scanner is not None and line:
        scanner.type_line(line)
    return redirect(url_for("dev.panel"), code=303)


def _on_reader(tag: SimulatedTag | None) -> Response:
    """Put the tag on the simulated card reader (None: take it away)."""
    reader = _simulated("card_reader")
    if reader is not None:
        reader.place(kiosk().devices.card_reader_name, tag)
    return redirect(url_for("dev.panel"), code=303)


def _simulated(name: str) -> Any:
    """The device if it is simulated, else None (a real device is not the panel's to drive)."""
    device = getattr(kiosk().devices, name)
    return device if isinstance(device, DEVICE_KINDS[name]) else None


def _state() -> dict[str, Any]:
    """What the panel remembers across requests: demo cards by UID, the placed document."""
    return current_app.extensions.setdefault("kiosk_dev_panel", {"tags": {}})


def _tags() -> dict[str, SimulatedTag]:
    """The demo cards made here, by UID (a card encoded at the kiosk keeps its number)."""
    return _state()["tags"]


def _current_payment() -> Any:
    """The payment the current patron session follows, if any."""
    session = kiosk().sessions.current()
    return session.data.get("payment") if session else None
