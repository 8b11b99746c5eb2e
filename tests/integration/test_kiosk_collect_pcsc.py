"""Collecting a card once more through the real stack: pcscd and vsmartcard with a virtual
passport and a virtual blank card, the eMRTD reader, and python-escpos capturing the slip."""

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.demo import demo_document
from kiosk.devices import Devices
from kiosk.hardware.emrtd import read_document
from kiosk.hardware.library_card import read_from
from kiosk.hardware.pcsc import PcscCardReader
from kiosk.hardware.printer import open_printer
from kiosk.hardware.simulated import SimulatedScanner
from portal.extensions import db
from shared.models.patron import Patron
from tests.support.accounts import member
from tests.support.kiosk_collect import go_from, portal_state, qr_code, td3_mrz, typed_document
from tests.support.pcsc import LIBRARY_CARD_READER, VPCD_PORTS, wait_for_card
from tests.support.printer import printed_barcodes
from tests.support.virtual_emrtd import VirtualEmrtd
from tests.support.virtual_library_card import VirtualLibraryCard

DOCUMENT_READER = "Virtual PCD 00 00"
# ICAO's specimen holder with a passport still valid: the specimen itself expired in 2012, and
# the kiosk sends an expired document to the desk.
PASSPORT = demo_document("Eriksson", "Anna Maria", date(1974, 8, 12))


@pytest.fixture
def kiosk_devices(pcscd: tuple[str, ...]) -> Devices:
    """The kiosk's devices on pcscd's virtual readers, and an escpos printer capturing bytes."""
    return Devices(
        card_reader=PcscCardReader(),
        card_reader_name=LIBRARY_CARD_READER,
        document_reader=read_document,
        document_reader_name=DOCUMENT_READER,
        printer=open_printer("dummy"),
        scanner=SimulatedScanner(),
    )


@pytest.fixture
def specimen_holder(client: FlaskClient, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A signed-up patron who is the holder of the specimen's passport."""
    patron = member(client)
    patron.prefix, patron.surname, patron.birth_date = "", "Eriksson", date(1974, 8, 12)
    db.session.commit()
    return patron


@pytest.fixture
def blank_card() -> Iterator[VirtualLibraryCard]:
    """A virtual blank card, taken off the reader after the test."""
    card = VirtualLibraryCard()
    yield card
    card.remove()
    assert wait_for_card(LIBRARY_CARD_READER, present=False, timeout=5)


def test_collect_a_card_through_pcscd(
    kiosk_app: Flask,
    kiosk_devices: Devices,
    specimen_holder: Patron,
    blank_card: VirtualLibraryCard,
) -> None:
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=5.0, KIOSK_BLANK_CARD_TIMEOUT=10.0)
    kiosk = kiosk_app.test_client()
    kiosk.get("/ophalen/inloggen")
    kiosk_devices.scanner.type_line(qr_code(specimen_holder))  # type: ignore[attr-defined]
    assert go_from(kiosk, "/ophalen/inloggen/scan") == "/ophalen"
    with VirtualEmrtd("|".join(td3_mrz(PASSPORT)), port=VPCD_PORTS[DOCUMENT_READER]):
        assert kiosk.post("/ophalen", data=typed_document(PASSPORT)).status_code == 303
        assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"
    blank_card.insert(VPCD_PORTS[LIBRARY_CARD_READER])
    kiosk.get("/ophalen/nieuwe-pas")
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"

    with kiosk_devices.reader_lock:
        encoded = read_from(PcscCardReader(), LIBRARY_CARD_READER, timeout=5).card
    assert encoded is not None
    blocked, cards, checks = portal_state(specimen_holder.id)
    assert not blocked and [(c.number, c.status) for c in cards] == [
        (encoded.card_number, "active")
    ]
    assert [(c.outcome, c.document_type) for c in checks] == [("verified", "P")]
    printed = kiosk_devices.printer.device.output  # type: ignore[attr-defined]
    assert printed_barcodes(bytes(printed)) == [encoded.card_number]
