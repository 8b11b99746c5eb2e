"""Registering a guest patron at the desk (/balie/gastleners/nieuw, seed 003): the card scanned,
its library found by the number or chosen (a shared prefix, a search by name), the own library
asked over SIP2 on a real server, unverified with the ID document's details without one, refused
when blocked at home, an existing login linked; the patron screen shows the own library, the
verification and the next check, and a verified guest's personal data cannot be changed."""

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.catalogue.isil import load_directory
from shared.clock import ManualClock
from shared.desk.patron_data import change_patron_data, data_of, fingerprint
from shared.errors import DomainError
from shared.guests.directory import load_home_libraries
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch
from shared.models.guest import GuestHome, Verification
from shared.models.id_check import DeskIdCheck
from shared.models.patron import Patron
from tests.functional.portal.test_desk_patron_data import change
from tests.functional.portal.test_guests import BLOCKED, CARD, DAY, home_server, homes_file  # noqa: F401
from tests.support.dates import noon_on
from tests.support.factories import create_account, create_patron
from tests.support.signup import csrf_token, details_data
from tests.support.sip2_home_library import INSTITUTION, HomeLibraryServer, HomePatron
from tests.support.staff import desk_session

PAGE = "/balie/gastleners/nieuw"
NIEUWEGEIN = "0830123456"  # Nieuwegein's prefix 0830: no home library configured for it
SHARED = """
[[library]]
isil = "NL-999001"
organisation = "Bibliotheek Testerland"
prefixes = ["8415"]
"""


@pytest.fixture
def desk(app: Flask, client: FlaskClient, clock: ManualClock, homes_file: Path) -> FlaskClient:  # noqa: F811
    """A desk member's browser; the shipped ISIL directory, Fryslân's SIP2 server configured."""
    clock.set(noon_on(DAY))
    load_directory(db.session)
    db.session.commit()
    # The browser's own portal instance reads the setting (made before this fixture ran).
    client.application.config["HOME_LIBRARIES"] = load_home_libraries(homes_file)
    return desk_session(app, client)


def send(desk: FlaskClient, **fields: Any) -> TestResponse:
    """The guest form sent with these fields."""
    return desk.post(PAGE, data={"csrf_token": csrf_token(desk.get(PAGE)), **fields})


def branch_code() -> str:
    """The first branch's code."""
    return db.session.scalars(select(Branch.code).order_by(Branch.id)).first() or ""


def registered(response: TestResponse) -> GuestHome:
    """The guest a registration made: the answer opens their screen."""
    assert response.status_code == 303, response.get_data(as_text=True)
    number = response.location.rsplit("/", 1)[1]
    db.session.expire_all()
    patron = db.session.scalars(select(Patron).where(Patron.system_number == number)).one()
    return db.session.scalars(select(GuestHome).where(GuestHome.patron_id == patron.id)).one()


def test_a_scanned_card_of_an_askable_library_registers_a_verified_guest(
    desk: FlaskClient,
) -> None:
    found = send(desk, card_number=CARD, find="1").get_data(as_text=True)
    assert "Bibliotheekservice Fryslân (NL-087041)" in found
    radio = '<input checked id="isil-0" name="isil" required type="radio" value="NL-087041">'
    assert radio in found
    home = registered(
        send(
            desk,
            card_number=CARD,
            isil=INSTITUTION,
            branch=branch_code(),
            id_checked="y",
            submit="1",
        )
    )
    assert (home.isil, home.home_card_number, home.verification) == (
        INSTITUTION,
        CARD,
        Verification.VERIFIED,
    )
    assert db.session.scalar(select(DeskIdCheck).where(DeskIdCheck.patron_id == home.patron_id))
    screen = desk.get(f"/balie/klanten/{home.patron.system_number}").get_data(as_text=True)
    assert "Bibliotheekservice Fryslân (NL-087041)" in screen
    assert "Volgende controle" in screen and "alleen-lezen" in screen


def test_a_shared_prefix_asks_for_a_choice_and_a_library_is_found_by_name(
    desk: FlaskClient, tmp_path: Path
) -> None:
    (shared := tmp_path / "shared.toml").write_text(SHARED, encoding="utf-8")
    load_directory(db.session, shared)
    db.session.commit()
    refused = send(desk, card_number=CARD, branch=branch_code(), submit="1").get_data(as_text=True)
    assert "Kies de bibliotheek die de pas uitgaf." in refused
    assert "Bibliotheek Testerland (NL-999001)" in refused
    searched = send(desk, card_number=CARD, library_search="nieuwe", find="1")
    assert "Nieuwegein (NL-083485)" in searched.get_data(as_text=True)


def test_without_an_askable_library_the_desk_takes_the_id_documents_details(
    desk: FlaskClient,
) -> None:
    card = {"card_number": NIEUWEGEIN, "isil": "NL-083485", "branch": branch_code()}
    asking = send(desk, **card, submit="1").get_data(as_text=True)
    assert "kan niet worden gevraagd" in asking and 'name="d-surname"' in asking
    details = {f"d-{name}": value for name, value in details_data().items() if name != "branch"}
    home = registered(send(desk, **card, unverified="1", submit="1", **details))
    assert home.verification == Verification.UNVERIFIED
    screen = desk.get(f"/balie/klanten/{home.patron.system_number}").get_data(as_text=True)
    assert "niet geverifieerd" in screen and "Volgende controle" not in screen


def test_a_patron_blocked_at_home_is_refused_at_the_card(desk: FlaskClient) -> None:
    blocked = {"card_number": BLOCKED, "isil": INSTITUTION, "branch": branch_code()}
    page = send(desk, **blocked, submit="1").get_data(as_text=True)
    assert "Gastlener kan niet worden ingeschreven: reden [Klant is geblokkeerd]." in page
    assert db.session.scalar(select(GuestHome)) is None


def test_an_existing_login_is_linked_before_the_first_login(desk: FlaskClient) -> None:
    account = create_account(db.session, now())
    create_patron(
        db.session, account, now(), birth_date=date(1985, 4, 15), names=("S.", "de", "Brouwer", "")
    )
    db.session.commit()
    home = registered(
        send(
            desk,
            card_number=CARD,
            isil=INSTITUTION,
            branch=branch_code(),
            existing_login=account.username,
            submit="1",
        )
    )
    assert home.patron.login_account_id == account.id


def test_a_verified_guests_personal_data_cannot_be_changed_but_their_language_can(
    desk: FlaskClient,
) -> None:
    home = registered(
        send(desk, card_number=CARD, isil=INSTITUTION, branch=branch_code(), submit="1")
    )
    assert change(desk, home.patron, city="Leeuwarden", language="en").status_code == 303
    db.session.expire_all()
    patron = db.session.get_one(Patron, home.patron_id)
    assert (patron.city, patron.locale) == ("Schiermonnikoog", "en")  # the city is held
    wanted = replace(data_of(patron), city="Leeuwarden")
    staff = db.session.scalars(select(LoginAccount).where(LoginAccount.username == "balie")).one()
    seen = fingerprint(data_of(patron))
    with pytest.raises(DomainError) as refused:
        change_patron_data(db.session, staff, patron, wanted, seen, mail_settings(), now())
    assert refused.value.code == "guest_data_read_only"


def test_a_new_card_number_drops_the_library_chosen_for_the_one_before(
    desk: FlaskClient,
) -> None:
    fields = {"isil": "NL-083485", "branch": branch_code(), "submit": "1"}
    page = send(desk, card_number=CARD, card_for=NIEUWEGEIN, **fields).get_data(as_text=True)
    assert db.session.scalar(select(GuestHome)) is None
    radio = '<input checked id="isil-0" name="isil" required type="radio" value="NL-087041">'
    assert radio in page and 'name="card_for" type="hidden" value="28415000012345"' in page


def test_a_library_that_gives_no_birth_date_asks_it_from_the_id_document(
    desk: FlaskClient,
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> None:
    home_server[0].patrons[CARD] = HomePatron("Brouwer, Sjoukje", None, date(2027, 3, 31))
    card = {"card_number": CARD, "isil": INSTITUTION, "branch": branch_code(), "submit": "1"}
    asked = send(desk, **card).get_data(as_text=True)
    assert 'name="birth_date"' in asked and db.session.scalar(select(GuestHome)) is None
    empty = send(desk, **card, ask_birth_date="1").get_data(as_text=True)
    assert 'id="birth_date-error"' in empty
    home = registered(send(desk, **card, ask_birth_date="1", birth_date="1985-04-15"))
    assert home.patron.birth_date == date(1985, 4, 15)


def test_a_guest_whose_address_is_not_dutch_can_change_branch_and_language(
    desk: FlaskClient,
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> None:
    home_server[0].patrons[CARD] = HomePatron(
        "Brouwer, Sjoukje", date(1985, 4, 15), date(2027, 3, 31), address="Postbus 12"
    )
    home = registered(
        send(desk, card_number=CARD, isil=INSTITUTION, branch=branch_code(), submit="1")
    )
    page = desk.get(f"/balie/klanten/{home.patron.system_number}/gegevens").get_data(as_text=True)
    assert 'name="surname"' not in page and "Persoonsgegevens van de eigen bibliotheek" in page
    assert change(desk, home.patron, language="en", branch="9401").status_code == 303
    db.session.expire_all()
    patron = db.session.get_one(Patron, home.patron_id)
    assert (patron.locale, patron.home_branch.code, patron.street) == ("en", "9401", "Postbus 12")
