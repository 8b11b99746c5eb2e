"""The control panel of the embedded default drives the simulated devices; never in production."""

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.config import load_config
from kiosk.devices import Devices
from kiosk.hardware.base import PrinterStatus
from kiosk.receipts import make_receipt, print_receipt
from tests.support.kiosk import add_device, kiosk_config, running_kiosk, simulated_devices
from tests.support.kiosk_flows import CARD, next_event, owing_card_holder


def test_tapping_and_removing_cards_from_the_panel(
    app: Flask, client: FlaskClient, kiosk_app: Flask
) -> None:
    owing_card_holder(app, client)
    panel, kiosk = kiosk_app.test_client(), kiosk_app.test_client()
    assert panel.post("/dev/kaart", data={"card_number": CARD}).location == "/dev"
    assert next_event(kiosk) == "/pas"
    page = panel.get("/dev").get_data(as_text=True)
    assert CARD in page and 'name="uid"' in page
    panel.post("/dev/kaart-weg")
    assert next_event(kiosk, session=True) == "/"
    panel.post("/dev/kaart", data={"card_number": ""})
    assert "card_not_encoded" in (next_event(kiosk) or "")


def test_document_printer_and_scanner_from_the_panel(
    kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    panel = kiosk_app.test_client()
    holder = {"surname": "van Dijk", "given_names": "Maria", "birth_date": "1985-04-15"}
    panel.post("/dev/document", data={**holder, "type": "I"})
    document = kiosk_devices.document_reader.document
    assert document is not None and document.document_number in panel.get("/dev").get_data(
        as_text=True
    )
    number = document.document_number
    expiry = f"{date.today().year + 5 - 2000}0131"
    read = kiosk_devices.document_reader("reader", (number, "850415", expiry), 1.0)
    assert (read["surname"], read["document_type"]) == ("VAN DIJK", "I")
    panel.post("/dev/printer", data={"state": "paper_out"})
    assert kiosk_devices.printer.status() == PrinterStatus.PAPER_OUT
    panel.post("/dev/printer", data={"state": "ok"})
    print_receipt(kiosk_devices, make_receipt(kiosk_app.config, "Slip", [("Pasnummer", None)]))
    assert "Pasnummer" in panel.get("/dev").get_data(as_text=True)
    panel.post("/dev/scanner", data={"line": "QR-CODE-123"})
    assert kiosk_devices.scanner.read(1.0) == "QR-CODE-123"


def test_no_panel_when_switched_off(app: Flask, portal_server: str) -> None:
    config = kiosk_config(portal_server, add_device(app), KIOSK_DEV_PANEL=False)
    with running_kiosk(config, simulated_devices()) as kiosk_app:
        assert kiosk_app.test_client().get("/dev").status_code == 404


def test_production_never_has_the_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    for device in ("KIOSK_READER", "KIOSK_PRINTER", "KIOSK_SCANNER", "KIOSK_DOCUMENT_READER"):
        monkeypatch.setenv(device, "pcsc")
    config = load_config(
        {"OPENBALIE_ENV": "production", "KIOSK_DEVICE_TOKEN": "t", "KIOSK_DEV_PANEL": True}
    )
    assert config["KIOSK_DEV_PANEL"] is False
