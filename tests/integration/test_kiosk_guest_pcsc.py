"""Becoming a guest at the kiosk through the real stack: pcscd and vsmartcard with a virtual
library card of another library (Bibliotheekservice Fryslân's ISIL on its chip, ISO 28560-3) and
a virtual passport, the kiosk's pages and flow over HTTP to the portal, and the own library
asked over SIP2 on a real server."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from kiosk.context import Kiosk
from kiosk.demo import demo_document
from kiosk.devices import Devices
from kiosk.flows import guest
from kiosk.hardware.base import MrzInput
from kiosk.hardware.library_card import LibraryCard, encode
from kiosk.hardware.simulated import SimulatedDocument
from kiosk.portal_client import PortalRefused
from portal.extensions import db
from shared.catalogue.isil import load_directory
from shared.guests.directory import load_home_libraries
from shared.models.guest import GuestHome, Verification
from shared.models.id_check import IdCheck, IdCheckOutcome
from shared.models.mail import OutboxMail
from tests.functional.portal.test_guests import home_server, homes_file  # noqa: F401
from tests.integration.test_kiosk_collect_pcsc import DOCUMENT_READER, kiosk_devices  # noqa: F401
from tests.support.kiosk_collect import go_from, td3_mrz, typed_document
from tests.support.pcsc import LIBRARY_CARD_READER, VPCD_PORTS, wait_for_card
from tests.support.printer import printed_barcodes
from tests.support.sip2_home_library import INSTITUTION, HomeLibraryServer, HomePatron
from tests.support.virtual_emrtd import VirtualEmrtd
from tests.support.virtual_library_card import VirtualLibraryCard

CARD = "28415000077777"  # Fryslân's prefix 8415, but the chip's ISIL decides
ERIKSSON = demo_document("Eriksson", "Anna Maria", date(1974, 8, 12))


@pytest.fixture
def own_card() -> Iterator[VirtualLibraryCard]:
    """Another library's card, encoded by that library: its number and ISIL on the chip."""
    card = VirtualLibraryCard()
    card.memory[:32] = encode(LibraryCard(CARD, INSTITUTION))
    card.insert(VPCD_PORTS[LIBRARY_CARD_READER])
    yield card
    card.remove()
    assert wait_for_card(LIBRARY_CARD_READER, present=False, timeout=5)


@pytest.fixture
def portal_knows_fryslan(
    app: Flask,
    homes_file: Path,  # noqa: F811
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> HomeLibraryServer:
    """The ISIL directory loaded, and Fryslân's SIP2 server knowing the passport's holder."""
    load_directory(db.session)
    db.session.commit()
    app.config["HOME_LIBRARIES"] = load_home_libraries(homes_file)
    server, _ = home_server
    server.patrons[CARD] = HomePatron(
        "Eriksson, Anna Maria", date(1974, 8, 12), date(2027, 9, 30), "anna@example.nl"
    )
    return server


def access(document: SimulatedDocument) -> MrzInput:
    """What the patron types to open the document's chip."""
    return (document.document_number, document.birth_date, document.expiry_date)


def the_kiosk(kiosk_app: Flask) -> Kiosk:
    """The kiosk object of the running kiosk app."""
    found: Kiosk = kiosk_app.extensions["kiosk"]
    return found


def test_a_guest_registers_with_another_librarys_card_through_pcscd(
    kiosk_app: Flask,
    kiosk_devices: Devices,  # noqa: F811  (the collect test's fixture)
    portal_knows_fryslan: HomeLibraryServer,
) -> None:
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=5.0)
    kiosk = kiosk_app.test_client()
    assert kiosk.get("/gastlener").status_code == 200
    card = VirtualLibraryCard()
    card.memory[:32] = encode(LibraryCard(CARD, INSTITUTION))
    card.insert(VPCD_PORTS[LIBRARY_CARD_READER])
    try:
        # The chip names Fryslân: no library to choose.
        assert go_from(kiosk, "/gastlener/pas") == "/gastlener/voorwaarden"
    finally:
        card.remove()
    assert kiosk.post("/gastlener/voorwaarden").location == "/gastlener/legitimatie"
    with VirtualEmrtd("|".join(td3_mrz(ERIKSSON)), port=VPCD_PORTS[DOCUMENT_READER]):
        sent = kiosk.post("/gastlener/legitimatie", data=typed_document(ERIKSSON))
        assert sent.status_code == 303, sent.get_data(as_text=True)
        assert go_from(kiosk, "/gastlener/lezen/status") == "/gastlener/klaar"
    printed = kiosk_devices.printer.device.output  # type: ignore[attr-defined]
    assert printed_barcodes(bytes(printed)) == [CARD]  # the guest borrows with their own card
    db.session.expire_all()
    home = db.session.scalars(select(GuestHome)).one()
    assert (home.isil, home.home_card_number, home.verification) == (
        INSTITUTION,
        CARD,
        Verification.VERIFIED,
    )
    check = db.session.scalars(select(IdCheck).where(IdCheck.patron_id == home.patron_id)).one()
    assert check.outcome == IdCheckOutcome.VERIFIED
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "guest_welcome")).one()
    assert mail.locale == "nl" and portal_knows_fryslan.asked == [CARD]
    assert wait_for_card(LIBRARY_CARD_READER, present=False, timeout=5)


def test_a_document_of_someone_else_is_refused_to_the_desk(
    kiosk_app: Flask,
    kiosk_devices: Devices,  # noqa: F811  (the collect test's fixture)
    own_card: VirtualLibraryCard,
    portal_knows_fryslan: HomeLibraryServer,
) -> None:
    kiosk = the_kiosk(kiosk_app)
    someone = demo_document("Jansen", "Piet", date(1974, 8, 12))
    read = guest.OwnCard(CARD, INSTITUTION)
    passport = VirtualEmrtd("|".join(td3_mrz(someone)), port=VPCD_PORTS[DOCUMENT_READER])
    with passport, pytest.raises(PortalRefused) as refused:
        guest.register(kiosk, read, guest.Choices(INSTITUTION, access(someone), True, "nl"), 5.0)
    assert refused.value.code == "guest_document_not_verified"
    assert db.session.scalar(select(GuestHome)) is None
