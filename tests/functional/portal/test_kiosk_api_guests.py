"""The kiosk API for guest patrons: the libraries a card may come from (the chip's ISIL decides,
accents and case do not matter in a search), and a registration whose checks ask the other
library last, count refusals per kiosk and send to the desk what the kiosk cannot decide."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.catalogue.isil import load_directory
from shared.clock import ManualClock
from shared.guests.directory import load_home_libraries
from shared.models.guest import GuestHome
from tests.functional.portal.test_guests import CARD, DAY, home_server, homes_file  # noqa: F401
from tests.support.dates import noon_on
from tests.support.kiosk_api import PASSPORT, KioskApi
from tests.support.sip2_home_library import INSTITUTION, HomeLibraryServer, HomePatron

SJOUKJE = {**PASSPORT, "surname": "DE BROUWER", "birth_date": "1985-04-15"}


@pytest.fixture
def fryslan(
    kiosk: KioskApi,
    client: FlaskClient,
    clock: ManualClock,
    homes_file: Path,  # noqa: F811
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> HomeLibraryServer:
    """The directory loaded, Fryslân's SIP2 server configured on the kiosk's portal."""
    clock.set(noon_on(DAY))
    load_directory(db.session)
    db.session.commit()
    client.application.config["HOME_LIBRARIES"] = load_home_libraries(homes_file)
    return home_server[0]


def register(kiosk: KioskApi, **changes: Any) -> Any:
    """POST /guests for Sjoukje's card and passport, with changes."""
    body = {"card_number": CARD, "isil": INSTITUTION, "document": SJOUKJE}
    return kiosk.call("POST", "/guests", body={**body, "accepted_terms": True, **changes})


def test_the_chips_isil_decides_and_a_search_ignores_accents_and_case(
    kiosk: KioskApi, fryslan: HomeLibraryServer
) -> None:
    def libraries(**body: str) -> list[str]:
        answer = kiosk.call("POST", "/guests/libraries", body={"card_number": CARD, **body})
        assert answer.status_code == 200, answer.json
        return [library["isil"] for library in answer.json["libraries"]]

    assert libraries() == [INSTITUTION]  # the prefix 8415
    assert libraries(isil="NL-083485") == ["NL-083485"]  # the chip says Nieuwegein
    assert "NL-087041" in libraries(card_number="ABCD1234", search="FRYSLAN")
    assert libraries(card_number="ABCD1234", search="%") == []


def test_a_guest_registers_and_is_mailed(kiosk: KioskApi, fryslan: HomeLibraryServer) -> None:
    answer = register(kiosk, locale="en")
    assert answer.status_code == 201, answer.json
    assert (answer.json["subscription"], answer.json["loan_strips"]) == ("Guest lending", 125)
    assert answer.json["library"] == "Bibliotheekservice Fryslân" and answer.json["mailed"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"document": {**SJOUKJE, "sod_hash_ok": False}}, "guest_document_not_verified"),
        ({"document": {**SJOUKJE, "expiry_date": "2020-01-01"}}, "guest_document_not_verified"),
        ({"card_number": "12"}, "guest_card_invalid"),
        ({"isil": "NL-083485"}, "guest_at_the_desk"),  # no connection to Nieuwegein
        ({"isil": "NL-083076"}, "guest_own_library"),  # Ruinerwold: a card of this library
    ],
)
def test_what_the_kiosk_can_tell_itself_never_asks_the_other_library(
    kiosk: KioskApi, fryslan: HomeLibraryServer, changes: dict[str, Any], code: str
) -> None:
    answer = register(kiosk, **changes)
    assert answer.json["error"] == code
    assert fryslan.asked == []


def test_a_library_without_a_birth_date_sends_the_guest_to_the_desk(
    kiosk: KioskApi, fryslan: HomeLibraryServer
) -> None:
    fryslan.patrons[CARD] = HomePatron("Brouwer, Sjoukje de", None, date(2027, 3, 31))
    assert register(kiosk).json["error"] == "guest_at_the_desk"


def test_someone_elses_document_is_refused_and_refusals_wait_after_five(
    kiosk: KioskApi, fryslan: HomeLibraryServer
) -> None:
    other = {**SJOUKJE, "surname": "JANSEN"}
    codes = [register(kiosk, document=other).json["error"] for _ in range(6)]
    assert codes == ["guest_document_not_verified"] * 5 + ["too_many_guest_attempts"]
    assert len(fryslan.asked) == 5
    assert db.session.scalar(select(GuestHome)) is None


def test_terms_not_accepted_are_refused(kiosk: KioskApi, fryslan: HomeLibraryServer) -> None:
    assert register(kiosk, accepted_terms=False).json["error"] == "guest_terms_not_accepted"


def test_blocked_or_unknown_at_home_is_said_only_to_the_cards_holder(
    kiosk: KioskApi, fryslan: HomeLibraryServer
) -> None:
    fryslan.patrons[CARD].blocked = "Klant is geblokkeerd"
    other = {**SJOUKJE, "surname": "JANSEN"}
    assert register(kiosk, document=other).json["error"] == "guest_document_not_verified"
    assert register(kiosk).json["error"] == "guest_blocked_at_home"  # her own passport
    unknown = register(kiosk, card_number="28415000099999")
    assert unknown.json["error"] == "guest_document_not_verified"
