"""The kiosk API: collecting a card (reserve, activate) after an ID check, and blocking it."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.accounts import login
from shared.cards.lookup import main_card
from shared.cards.numbers import luhn_check_digit
from shared.models.card import Card, CardRole, CardStatus
from shared.models.catalogue import Branch
from shared.models.patron import Patron
from tests.support.accounts import PASSWORD, first_login, give_card, log_in, member
from tests.support.kiosk_api import KioskApi, queued_mail, register_kiosk

CHIP = "04A1B2C3D4E5F6"
OTHER_CHIP = "04FFEEDDCCBBAA"
OWN_PASSWORD = "Zeven zilveren zwanen op de gracht"


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """A paid patron with a confirmed login, waiting for a card."""
    return member(client)


@pytest.fixture
def ticket(kiosk: KioskApi, patron: Patron) -> str:
    """A password ticket of the patron, whose ID document this kiosk just verified."""
    ticket = kiosk.ticket(patron)
    assert kiosk.verify_id(patron, ticket).json == {"verified": True}
    return ticket


def reserve(kiosk: KioskApi, ticket: str, chip: str = CHIP) -> dict[str, str]:
    """Reserve a number for the chip; the answer."""
    response = kiosk.call("POST", "/cards", ticket, {"chip_uid": chip})
    assert response.status_code == 200, response.json
    return response.json


def test_a_number_is_reserved_once_per_chip(kiosk: KioskApi, patron: Patron, ticket: str) -> None:
    first = reserve(kiosk, ticket)
    number = first["card_number"]
    assert first["isil"] == "NL-083076"
    assert len(number) == 13 and number.startswith("25270")
    assert luhn_check_digit(number[:-1]) == number[-1]
    assert reserve(kiosk, ticket, CHIP.lower()) == first
    card = db.session.scalars(select(Card)).one()
    assert (card.status, card.role, card.chip_uid) == (CardStatus.PENDING, CardRole.MAIN, CHIP)
    assert main_card(db.session, patron) is None


def test_no_number_without_a_verified_id_check_at_this_kiosk(
    app: Flask, client: FlaskClient, kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    other_kiosk = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    other_ticket = other_kiosk.ticket(patron)
    refused = other_kiosk.call("POST", "/cards", other_ticket, {"chip_uid": CHIP})
    assert refused.status_code == 409 and refused.json["error"] == "id_not_verified"
    weak = {"method": "card", "card_number": "x"}
    assert kiosk.call("POST", "/identify", body=weak).status_code == 422


def test_a_chip_on_someone_elses_card_is_refused(new_browser, kiosk: KioskApi, ticket: str) -> None:
    other = member(new_browser(), username="jan70", email="jan@example.nl")
    give_card(other, "2527000000017").chip_uid = CHIP
    db.session.commit()
    refused = kiosk.call("POST", "/cards", ticket, {"chip_uid": CHIP})
    assert refused.status_code == 409 and refused.json["error"] == "chip_in_use"
    bad = kiosk.call("POST", "/cards", ticket, {"chip_uid": "not-hex"})
    assert bad.status_code == 400 and bad.json["error"] == "bad_request"
    assert bad.json["field"] == "chip_uid" and bad.json["location"] == "json"


def test_activation_makes_the_main_card_and_mails_the_number(
    kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    patron.locale = "en"
    db.session.commit()
    reserve(kiosk, ticket, OTHER_CHIP)  # a card that failed to encode, then another one
    number = reserve(kiosk, ticket)["card_number"]
    response = kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    assert response.status_code == 200 and response.json["card_number"] == number
    summary = response.json["patron"]
    assert summary["number"] == number and summary["has_card"] and not summary["needs_card"]
    again = kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    assert again.json == response.json
    db.session.expire_all()
    card = db.session.scalars(select(Card)).one()
    assert (card.number, card.status, card.role) == (number, CardStatus.ACTIVE, CardRole.MAIN)
    assert patron.lending_blocked is False and patron.login_account.username == "marieke85"
    row, message = queued_mail("new_card")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert row.locale == "en" and message["Content-Language"] == "en"
    assert row.to_address == "marieke@example.nl" and row.dedupe_key == f"new_card:card:{card.id}"
    assert number in text and patron.temporary_number in text


def test_after_activation_the_card_number_logs_in_and_the_old_number_says_so(
    kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    number = reserve(kiosk, ticket)["card_number"]
    kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    by_card = login.log_in(db.session, number, PASSWORD, now())
    assert by_card.account.id == patron.login_account_id and by_card.new_number is None
    by_temporary = login.log_in(db.session, patron.temporary_number, PASSWORD, now())
    assert by_temporary.new_number == number
    db.session.commit()  # the logins above write; the kiosk's calls come from another session
    assert kiosk.identify(method="card", card_number=number, chip_uid=CHIP).status_code == 200
    refused = kiosk.call("POST", "/cards", ticket, {"chip_uid": OTHER_CHIP})
    assert refused.status_code == 409 and refused.json["error"] == "card_not_needed"


def test_a_login_named_after_the_temporary_number_is_renamed(
    app: Flask, kiosk: KioskApi, patron: Patron, new_browser: Callable[[], FlaskClient]
) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["accounts", "forget", patron.temporary_number])
    created = runner.invoke(args=["accounts", "create-login", patron.temporary_number])
    password = created.output.split("password ")[1].strip()
    browser = new_browser()  # the kiosk takes the password the patron chose on the website
    assert log_in(browser, patron.temporary_number, password).location == "/eerste-keer"
    first_login(browser, patron, "marieke@example.nl", OWN_PASSWORD)
    identified = kiosk.identify(
        method="password", login=patron.temporary_number, password=OWN_PASSWORD
    )
    ticket = identified.json["ticket"]
    kiosk.verify_id(patron, ticket)
    number = reserve(kiosk, ticket)["card_number"]
    kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    db.session.expire_all()
    assert patron.login_account.username == number
    assert login.log_in(db.session, number, OWN_PASSWORD, now()).new_number is None


def test_activation_needs_the_chip_that_was_reserved(
    kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    number = reserve(kiosk, ticket)["card_number"]
    wrong = kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": OTHER_CHIP})
    assert wrong.status_code == 409 and wrong.json["error"] == "chip_mismatch"
    unknown = kiosk.call("POST", "/cards/2527000000017/activate", ticket, {"chip_uid": CHIP})
    assert unknown.status_code == 404


def test_blocking_needs_a_password_and_blocks_lending_until_a_new_card(
    kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    number = reserve(kiosk, ticket)["card_number"]
    kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    tapped = kiosk.identify(method="card", card_number=number, chip_uid=CHIP).json["ticket"]
    weak = kiosk.call("POST", "/cards/block", tapped, {})
    assert weak.status_code == 403 and weak.json["error"] == "proof_required"
    blocked = kiosk.call("POST", "/cards/block", ticket, {})
    assert blocked.status_code == 200 and blocked.json["blocked"] == f"•••••••••{number[-4:]}"
    assert blocked.json["patron"]["needs_card"] is True
    db.session.expire_all()
    assert patron.lending_blocked is True
    assert db.session.scalars(select(Card.status)).one() == CardStatus.LOST
    again = kiosk.call("POST", "/cards/block", ticket, {})
    assert again.status_code == 409 and again.json["error"] == "no_card"
    replacement = reserve(kiosk, ticket, OTHER_CHIP)["card_number"]
    kiosk.call("POST", f"/cards/{replacement}/activate", ticket, {"chip_uid": OTHER_CHIP})
    db.session.expire_all()
    assert patron.lending_blocked is False


def test_the_isil_is_that_of_the_home_branchs_own_library(
    kiosk: KioskApi, patron: Patron, ticket: str
) -> None:
    annen = db.session.scalars(select(Branch).where(Branch.code == "9401")).one()
    db.session.get_one(Patron, patron.id).home_branch = annen
    db.session.commit()
    reserved = reserve(kiosk, ticket)
    assert reserved["isil"] == "NL-070297" and reserved["card_number"].startswith("29401")
