"""The staff page of kiosks: who may see it, the kiosks' health and the recent ID checks; staff
logins made and switched on the command line."""

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.extensions import db
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.models.id_check import IdCheck
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.timeutil import LOCAL_TZ
from tests.support.accounts import create_staff, log_in, member
from tests.support.kiosk_api import PASSPORT, KioskApi, register_kiosk
from tests.support.signup import csrf_token
from tests.support.staff import code_at, desk_session, type_code

PAGE = "/balie/zuilen"
KIOSKS = ("hal", "boven", "nieuw")
ALL_OK = {"card_reader": "ok", "document_reader": "ok", "printer": "ok", "scanner": "ok"}


def staff_role(app: Flask, username: str, switch: str) -> str:
    """Switch a login's staff role with the command; its output."""
    result = app.test_cli_runner().invoke(args=["accounts", "staff-role", username, switch])
    assert result.exit_code == 0, result.output
    return result.output


def in_english(username: str) -> None:
    """The login's language is English (logging in takes it)."""
    key = username.casefold()
    db.session.execute(
        update(LoginAccount).where(LoginAccount.username_key == key).values(locale="en")
    )
    db.session.commit()


def choose_english(browser: FlaskClient) -> None:
    """The language button: English from now on."""
    token = csrf_token(browser.get("/"))
    browser.post("/taal", data={"csrf_token": token, "lang": "en", "next": "/"})


@pytest.fixture
def staff(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a staff member logged in, in English."""
    browser = desk_session(app, new_browser())
    choose_english(browser)
    return browser


@pytest.fixture
def kiosk(app: Flask, client: FlaskClient) -> KioskApi:
    """A registered kiosk in Ruinerwold."""
    return KioskApi(client, register_kiosk(app, "Kiosk hal"))


def heartbeat(kiosk: KioskApi, **devices: str) -> None:
    """The kiosk reports its devices' states."""
    body = {"devices": {**ALL_OK, **devices}, "software": "0.1.0"}
    assert kiosk.call("POST", "/heartbeat", body=body).status_code == 200


def page_of(browser: FlaskClient) -> str:
    """The staff page's HTML, answered with 200."""
    response = browser.get(PAGE)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def short_english(moment: datetime) -> str:
    """The date and hour of a moment as the English page shows it (British order, 24 hours,
    never the American 12/4/26, 4:53 PM), in Amsterdam time."""
    return f"{moment.astimezone(LOCAL_TZ):%d/%m/%Y, %H:%M}"


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response.location.startswith("/inloggen?next=")


def test_a_patron_is_refused(client: FlaskClient, kiosk: KioskApi) -> None:
    member(client)
    in_english("marieke85")
    log_in(client, "marieke85")
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "This page is for library staff." in page
    assert "Kiosk hal" not in page and f'href="{PAGE}"' not in client.get("/").get_data(True)


def test_staff_see_each_kiosk_with_its_status_and_devices(
    app: Flask, client: FlaskClient, staff: FlaskClient, kiosk: KioskApi
) -> None:
    heartbeat(kiosk, printer="paper_low", scanner="unavailable")
    upstairs = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    heartbeat(upstairs)
    last_heard = now().replace(microsecond=0) - timedelta(hours=3)
    db.session.get_one(KioskDevice, 2).health_reported_at = last_heard
    register_kiosk(app, "Kiosk nieuw")
    db.session.commit()
    rows = re.split(r"<tr\b", page_of(staff))
    hal, upstairs_row, new = (next(r for r in rows if f"Kiosk {name}<" in r) for name in KIOSKS)
    assert "Device problem" in hal and "Paper low" in hal and "Unavailable" in hal
    assert "Bibliotheek Ruinerwold" in hal and hal.count(">OK</td>") == 2
    assert ">Offline</td>" in upstairs_row and short_english(last_heard) in upstairs_row
    assert "Never reported" in new and "None yet" in new and new.count("Unknown") == 4


def test_staff_see_the_id_checks_without_document_data(
    client: FlaskClient, staff: FlaskClient, kiosk: KioskApi
) -> None:
    patron = member(client)
    ticket = kiosk.ticket(patron)
    assert kiosk.verify_id(patron, ticket).json == {"verified": True}
    other = {**PASSPORT, "document_type": "I", "surname": "JANSSENS", "birth_date": "1971-02-03"}
    assert kiosk.call("POST", "/id-checks", ticket, other).json["reason"] == "mismatch"
    unreadable = {"outcome": "unreadable", "reason": "timeout"}
    assert kiosk.call("POST", "/id-checks", ticket, unreadable).status_code == 201
    page = page_of(staff)
    table = page[page.index("ID checks of the last 7 days") :]
    rows = [row for row in re.split(r"<tr\b", table) if "Kiosk hal" in row]
    assert [("Could not be read" in r, "Does not match" in r, "Verified" in r) for r in rows] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    assert "Identity card" in rows[1] and "Passport" in rows[2]
    assert all(patron.customer_number in row for row in rows)
    assert_no_document_data(page, patron)


def assert_no_document_data(page: str, patron: Patron) -> None:
    """Neither the names nor the birth dates sent to the API are on the page."""
    born = patron.birth_date
    for sent in (
        "JANSSENS",
        "1971",
        "Dijk",
        "DIJK",
        born.isoformat(),
        f"{born.month}/{born.day}/{born:%y}",
    ):
        assert sent not in page, sent


def test_old_id_checks_are_left_out(
    client: FlaskClient, staff: FlaskClient, kiosk: KioskApi
) -> None:
    patron = member(client)
    kiosk.verify_id(patron, kiosk.ticket(patron))
    db.session.execute(update(IdCheck).values(checked_at=now() - timedelta(days=8)))
    db.session.commit()
    assert "No ID checks in the last 7 days." in page_of(staff)


def test_a_staff_login_has_no_patron_and_lands_on_the_desk(app: Flask, staff: FlaskClient) -> None:
    account = db.session.query(LoginAccount).filter_by(username="balie").one()
    assert account.role == "staff" and account.confirmed_at and account.email == "balie@example.nl"
    assert db.session.query(Patron).filter_by(login_account_id=account.id).count() == 0
    response = staff.get("/mijn-account")
    assert response.status_code == 302 and response.location == "/balie/klanten"  # the search
    assert f'href="{PAGE}"' in staff.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "email", "refusal"),
    [
        ("balie", "ander@example.nl", "username_taken"),
        ("BALIE", "ander@example.nl", "username_taken"),
        ("ander@example.nl", "ander@example.nl", "invalid_username"),
        ("an\u202eder", "ander@example.nl", "invalid_username"),
        ("an\x00der", "ander@example.nl", "invalid_username"),
        ("ander", "geen-adres", "invalid_email"),
    ],
)
def test_create_staff_refuses_a_taken_name_or_a_wrong_address(
    app: Flask, username: str, email: str, refusal: str
) -> None:
    create_staff(app)
    args = ["accounts", "create-staff", username, "--email", email, "--role", "desk"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1 and f"refused: {refusal}" in result.output


def test_the_staff_role_is_switched_on_and_off(app: Flask, client: FlaskClient) -> None:
    member(client)
    log_in(client, "marieke85")
    assert client.get(PAGE).status_code == 403
    shown = json.loads(staff_role(app, "Marieke85", "--role=desk"))
    assert (shown["username"], shown["role"]) == ("marieke85", "desk")
    asked = client.get(PAGE)  # a staff page asks for the code of the new second factor first
    assert asked.status_code == 302 and asked.location == f"/balie/tweede-stap?next={PAGE}"
    app_code = code_at(pyotp.parse_uri(shown["otpauth_uri"]))
    assert type_code(client, app_code, asked.location).location == PAGE
    assert client.get(PAGE).status_code == 200
    assert client.get("/mijn-account").status_code == 200  # a patron too: their membership
    assert json.loads(staff_role(app, "marieke85", "--off")) == {
        "username": "marieke85",
        "role": "patron",
    }
    assert client.get(PAGE).status_code == 403


def test_the_staff_role_needs_a_known_login_and_a_switch(app: Flask) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["accounts", "staff-role", "niemand", "--role", "desk"])
    assert unknown.exit_code == 1 and "refused: unknown_login" in unknown.output
    assert runner.invoke(args=["accounts", "staff-role", "niemand"]).exit_code == 2
