"""Becoming a guest patron at the kiosk (seed 003): simulated devices, the real portal, and the
own library as a real SIP2 server: the own card laid (its chip's ISIL decides) or its number
typed, the library chosen where the number leaves a choice, the terms, the ID document, the
slip; a card the kiosk cannot read, a document that is not the card holder's, and a tap on the
guest's pages that is never taken for a patron's."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.demo import blank_tag, card_tag, demo_document
from kiosk.devices import Devices
from kiosk.hardware.simulated import SimulatedCardReader, SimulatedTag
from portal.extensions import db
from shared.catalogue.isil import load_directory
from shared.guests.directory import load_home_libraries
from shared.models.guest import GuestHome
from tests.functional.portal.test_guests import home_server, homes_file  # noqa: F401
from tests.support.kiosk_collect import go_from, poll_status, said, typed_document
from tests.support.kiosk_flows import SIMULATED_READER, next_event
from tests.support.sip2_home_library import INSTITUTION, HomeLibraryServer, HomePatron

CARD = "28415000012345"  # Fryslân's prefix
ANNA = demo_document("Brouwer", "Sjoukje", date(1985, 4, 15))


@pytest.fixture
def fryslan(
    app: Flask,
    homes_file: Path,  # noqa: F811
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> HomeLibraryServer:
    """The ISIL directory, and Fryslân's SIP2 server knowing Sjoukje, configured at the portal."""
    load_directory(db.session)
    db.session.commit()
    app.config["HOME_LIBRARIES"] = load_home_libraries(homes_file)
    server = home_server[0]
    server.patrons[CARD] = HomePatron(
        "Brouwer, Sjoukje de", date(1985, 4, 15), date(2027, 9, 30), "sjoukje@example.nl"
    )
    return server


@pytest.fixture
def kiosk(kiosk_app: Flask, fryslan: HomeLibraryServer) -> Iterator[FlaskClient]:
    """The kiosk's browser, with a short wait for a document."""
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=0.5)
    yield kiosk_app.test_client()


def lay(devices: Devices, tag: SimulatedTag | None) -> None:
    """Lay a card on the reader (None takes it away)."""
    reader = devices.card_reader
    assert isinstance(reader, SimulatedCardReader)
    reader.place(SIMULATED_READER, tag)


def document_checked(kiosk: FlaskClient, devices: Devices, document: object = ANNA) -> str:
    """Accept the terms, lay the document and type its details; where the read sends."""
    assert kiosk.post("/gastlener/voorwaarden").location == "/gastlener/legitimatie"
    devices.document_reader.place(document)  # type: ignore[attr-defined]
    sent = kiosk.post("/gastlener/legitimatie", data=typed_document(document))  # type: ignore[arg-type]
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return go_from(kiosk, "/gastlener/lezen/status")


def test_a_guest_lays_their_own_card_and_leaves_with_a_slip(
    kiosk: FlaskClient, kiosk_devices: Devices
) -> None:
    assert kiosk.get("/gastlener").status_code == 200
    lay(kiosk_devices, card_tag(CARD, INSTITUTION))
    assert next_event(kiosk) is None  # the start screen's poll leaves the tap to this page
    assert go_from(kiosk, "/gastlener/pas") == "/gastlener/voorwaarden"  # one library: no choice
    assert document_checked(kiosk, kiosk_devices) == "/gastlener/klaar"
    done = kiosk.get("/gastlener/klaar").get_data(as_text=True)
    assert said(kiosk.application, "Take your slip from the printer.") in done
    slip = kiosk_devices.printer.printed[-1]  # type: ignore[attr-defined]
    assert slip.barcode == CARD
    assert any("Bibliotheekservice Fryslân" in text for text, _ in slip.lines)
    db.session.expire_all()
    home = db.session.scalars(select(GuestHome)).one()
    assert (home.isil, home.home_card_number) == (INSTITUTION, CARD)


def test_a_typed_number_of_a_shared_prefix_asks_for_the_library(
    kiosk: FlaskClient, kiosk_devices: Devices, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.toml"
    shared.write_text(
        '[[library]]\nisil = "NL-999001"\norganisation = "Bibliotheek Testerland"\n'
        'prefixes = ["8415"]\n',
        encoding="utf-8",
    )
    load_directory(db.session, shared)
    db.session.commit()
    kiosk.get("/gastlener")
    assert kiosk.post("/gastlener", data={"card_number": CARD}).location == "/gastlener/bibliotheek"
    page = kiosk.get("/gastlener/bibliotheek?search=fryslan").get_data(as_text=True)
    assert "Bibliotheek Testerland" in page and "Bibliotheekservice Fryslân" in page
    chosen = kiosk.post("/gastlener/bibliotheek", data={"isil": INSTITUTION})
    assert chosen.location == "/gastlener/voorwaarden"
    assert document_checked(kiosk, kiosk_devices) == "/gastlener/klaar"


def test_a_card_the_kiosk_cannot_read_asks_for_its_number(
    kiosk: FlaskClient, kiosk_devices: Devices
) -> None:
    kiosk.get("/gastlener")
    lay(kiosk_devices, blank_tag())  # only a UID: another library's layout
    words = said(kiosk.application, "We cannot read this card. Type or scan its number instead.")
    assert poll_status(kiosk, "/gastlener/pas", words)
    assert kiosk.post("/gastlener", data={"card_number": "12"}).status_code == 422


def test_a_document_that_is_not_the_card_holders_sends_to_the_desk(
    kiosk: FlaskClient, kiosk_devices: Devices
) -> None:
    kiosk.get("/gastlener")
    kiosk.post("/gastlener", data={"card_number": CARD})
    someone = demo_document("Jansen", "Piet", date(1985, 4, 15))
    assert document_checked(kiosk, kiosk_devices, someone) == "/gastlener/balie"
    desk = kiosk.get("/gastlener/balie").get_data(as_text=True)
    assert said(kiosk.application, "Please go to the desk") in desk
    assert db.session.scalar(select(GuestHome)) is None


def test_a_number_typed_as_printed_with_spaces_and_dashes_is_taken(
    kiosk: FlaskClient, kiosk_devices: Devices
) -> None:
    kiosk.get("/gastlener")
    typed = kiosk.post("/gastlener", data={"card_number": "2841 5000-0123 45"})
    assert typed.location == "/gastlener/voorwaarden"
    assert document_checked(kiosk, kiosk_devices) == "/gastlener/klaar"
    assert db.session.scalars(select(GuestHome)).one().home_card_number == CARD


def test_another_flows_desk_page_is_not_the_guests(kiosk: FlaskClient) -> None:
    assert kiosk.get("/gastlener/balie").location == "/"
