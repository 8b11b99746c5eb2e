"""The kiosk API: identifying a patron by card, QR code or password, and the ticket it gives."""

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stdnum.luhn import calc_check_digit

from portal.extensions import db
from portal.wiring import now
from shared import tokens
from shared.cards.collection_codes import ALPHABET
from shared.models.account import AccountStatus
from shared.models.card import CardRole, CardStatus
from shared.models.patron import Patron
from tests.conftest import TEST_SECRET
from tests.support.accounts import PASSWORD, give_card, member
from tests.support.kiosk_api import KioskApi, collection_code, register_kiosk, welcome_mail_code

CARD = "2527000000017"
CHIP = "04A1B2C3D4E5F6"
CARD_AND_CHIP = {"card_number": CARD, "chip_uid": CHIP}


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """A paid patron with a confirmed login and no card yet."""
    return member(client)


def card_with_chip(patron: Patron, number: str = CARD, chip: str | None = CHIP) -> None:
    """An issued main card whose chip UID was recorded."""
    give_card(patron, number).chip_uid = chip
    db.session.commit()


def test_card_with_its_chip_identifies_with_the_weakest_proof(
    kiosk: KioskApi, patron: Patron
) -> None:
    card_with_chip(patron)
    response = kiosk.identify(method="card", card_number=CARD, chip_uid=CHIP.lower())
    assert response.status_code == 200 and response.json["proof"] == "card"
    assert response.json["patron"] == {
        "number": CARD,
        "display_name": "M.J. van Dijk",
        "valid_through": patron.subscriptions[0].end_date.isoformat(),
        "subscription": "Basis",
        "subscription_valid": True,
        "subscription_refused": False,
        "owed": "0.00",
        "currency": "EUR",
        "has_card": True,
        "card_masked": "•••••••••0017",
        "needs_card": False,
        "locale": "nl",
        "email_known": True,
    }
    summary = kiosk.call("GET", "/patron", response.json["ticket"])
    assert summary.json["patron"]["number"] == CARD


@pytest.mark.parametrize(
    ("number", "chip"), [(CARD, "04FFFFFFFFFFFF"), (CARD, None), ("2527000000025", CHIP)]
)
def test_unknown_card_or_other_chip_is_refused(
    kiosk: KioskApi, patron: Patron, number: str, chip: str | None
) -> None:
    card_with_chip(patron)
    response = kiosk.identify(method="card", card_number=number, chip_uid=chip)
    assert response.status_code == 422 and response.json["error"] == "unknown_card"


def test_card_without_recorded_chip_identifies_by_number(kiosk: KioskApi, patron: Patron) -> None:
    card_with_chip(patron, chip=None)
    assert kiosk.identify(method="card", card_number=CARD).status_code == 200


def test_lost_secondary_and_pending_cards_are_refused(kiosk: KioskApi, patron: Patron) -> None:
    card_with_chip(patron)
    give_card(patron, "2527000000025", CardRole.SECONDARY)
    secondary = kiosk.identify(method="card", card_number="2527000000025")
    assert secondary.json == {"error": "secondary_card", "main": "•••••••••0017"}
    give_card(patron, "2527000000033", status=CardStatus.PENDING)
    pending = kiosk.identify(method="card", card_number="2527000000033")
    assert pending.json["error"] == "unknown_card"
    kiosk.call("POST", "/cards/block", kiosk.ticket(patron))
    lost = kiosk.identify(method="card", card_number=CARD, chip_uid=CHIP)
    assert lost.status_code == 422 and lost.json["error"] == "card_not_active"


def test_qr_code_from_the_welcome_mail(kiosk: KioskApi, patron: Patron) -> None:
    response = kiosk.identify(method="qr", code=collection_code(patron))
    assert response.status_code == 200 and response.json["proof"] == "qr"
    summary = response.json["patron"]
    assert summary["number"] == patron.temporary_number and summary["needs_card"] is True
    assert summary["has_card"] is False and summary["card_masked"] is None


def test_forged_other_purpose_and_expired_codes(kiosk: KioskApi, patron: Patron) -> None:
    other = tokens.make_token(TEST_SECRET, tokens.PASSWORD_RESET, {"patron": patron.id}, now())
    expired = past_token(tokens.CARD_COLLECTION, {"patron": patron.id}, 91 * 24 * 3600)
    for code, error in [("abc.def.ghi", "code_invalid"), (other, "code_invalid")]:
        assert kiosk.identify(method="qr", code=code).json["error"] == error
    assert kiosk.identify(method="qr", code=expired).json["error"] == "code_expired"


@pytest.mark.parametrize(
    ("method", "error"),
    [("qr", "account_blocked"), ("card", "account_blocked"), ("qr", "account_unconfirmed")],
)
def test_code_and_card_refuse_an_account_that_may_not_log_in(
    kiosk: KioskApi, patron: Patron, method: str, error: str
) -> None:
    if method == "card":
        card_with_chip(patron)
    if error == "account_blocked":
        patron.login_account.status = AccountStatus.BLOCKED
    else:
        patron.login_account.confirmed_at = None
    db.session.commit()
    qr = {"code": collection_code(patron)}
    response = kiosk.identify(method=method, **(qr if method == "qr" else CARD_AND_CHIP))
    assert response.status_code == 422 and response.json["error"] == error


def test_the_code_is_used_once_a_main_card_was_issued(kiosk: KioskApi, patron: Patron) -> None:
    card_with_chip(patron)
    used = kiosk.identify(method="qr", code=collection_code(patron))
    assert used.status_code == 422 and used.json == {"error": "code_used"}
    kiosk.call("POST", "/cards/block", kiosk.ticket(patron))
    after_loss = kiosk.identify(method="qr", code=collection_code(patron))
    assert after_loss.json == {"error": "code_used"}
    assert kiosk.ticket(patron)  # after a loss, the patron identifies by password


@pytest.mark.parametrize("login", ["temporary", "marieke85", "marieke@example.nl"])
def test_password_with_any_login_name(kiosk: KioskApi, patron: Patron, login: str) -> None:
    typed = patron.temporary_number if login == "temporary" else login
    response = kiosk.identify(method="password", login=typed, password=PASSWORD)
    assert response.status_code == 200 and response.json["proof"] == "password"
    assert response.json["patron"]["number"] == patron.temporary_number


def test_wrong_password_and_blocked_account(kiosk: KioskApi, patron: Patron) -> None:
    wrong = kiosk.identify(method="password", login="marieke85", password="nope")
    assert wrong.status_code == 422 and wrong.json["error"] == "bad_credentials"
    patron.login_account.status = AccountStatus.BLOCKED
    db.session.commit()
    blocked = kiosk.identify(method="password", login="marieke85", password=PASSWORD)
    assert blocked.json["error"] == "account_blocked"


def test_wrong_passwords_are_throttled_per_kiosk(
    app: Flask, client: FlaskClient, kiosk: KioskApi, patron: Patron
) -> None:
    for _ in range(5):
        kiosk.identify(method="password", login="marieke85", password="guess")
    throttled = kiosk.identify(method="password", login="marieke85", password=PASSWORD)
    assert throttled.status_code == 429 and throttled.json["error"] == "too_many_attempts"
    assert "T" in throttled.json["until"] and throttled.json["until"].endswith("+00:00")
    other_kiosk = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    fine = other_kiosk.identify(method="password", login="marieke85", password=PASSWORD)
    assert fine.status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"method": "face"}, {"method": "card"}, {"method": "password", "login": "x"}, []],
)
def test_malformed_identification_is_a_bad_request(kiosk: KioskApi, body: object) -> None:
    response = kiosk.call("POST", "/identify", body=body)
    assert response.status_code == 400 and response.json["error"] == "bad_request"


def test_ticket_is_bound_to_the_kiosk_and_expires(
    app: Flask, client: FlaskClient, kiosk: KioskApi, patron: Patron
) -> None:
    ticket = kiosk.ticket(patron)
    assert kiosk.call("GET", "/patron", ticket).status_code == 200
    other_kiosk = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    device = tokens.read_token(TEST_SECRET, tokens.KIOSK_TICKET, ticket, now())["device"]
    payload = {"patron": patron.id, "device": device, "proof": "password"}
    stale = past_token(tokens.KIOSK_TICKET, payload, 15 * 60 + 5)
    fresh = past_token(tokens.KIOSK_TICKET, payload, 15 * 60 - 5)
    assert kiosk.call("GET", "/patron", fresh).status_code == 200  # only its age differs
    forged = tokens.make_token("another-secret", tokens.KIOSK_TICKET, payload, now())
    for api, bad in [(other_kiosk, ticket), (kiosk, stale), (kiosk, forged), (kiosk, None)]:
        response = api.call("GET", "/patron", bad)
        assert response.status_code == 403 and response.json["error"] == "ticket_invalid"


def test_card_numbers_find_their_patron_for_the_balance(kiosk: KioskApi, patron: Patron) -> None:
    card_with_chip(patron)
    assert kiosk.call("GET", f"/patrons/{CARD}/balance").json["balance"] == "0.00"
    assert kiosk.call("GET", "/patrons/2527000000025/balance").status_code == 404


def past_token(purpose: str, payload: dict[str, object], age: int) -> str:
    """A genuinely signed token made `age` seconds before the portal's now."""
    return tokens.make_token(TEST_SECRET, purpose, payload, now() - timedelta(seconds=age))


def test_the_typed_code_identifies_once_as_strongly_as_the_qr_code(
    kiosk: KioskApi, patron: Patron
) -> None:
    code = welcome_mail_code()
    first = kiosk.identify(method="qr", code=code.lower().replace(" ", "-"))
    assert first.status_code == 200 and first.json["proof"] == "qr"
    assert first.json["patron"]["number"] == patron.temporary_number
    again = kiosk.identify(method="qr", code=code)
    assert again.status_code == 422 and again.json == {"error": "code_used"}


def test_a_refused_patron_keeps_their_typed_code(kiosk: KioskApi, patron: Patron) -> None:
    patron.login_account.status = AccountStatus.BLOCKED
    db.session.commit()
    assert kiosk.identify(method="qr", code=welcome_mail_code()).json["error"] == "account_blocked"
    patron.login_account.status = AccountStatus.ACTIVE
    db.session.commit()
    assert kiosk.identify(method="qr", code=welcome_mail_code()).status_code == 200


def well_formed_guesses(count: int, code: str) -> list[str]:
    """Codes of the right shape whose check character fits: guesses, not slips."""
    bodies = (f"{n:08d}" for n in range(count + 1))
    return [body + calc_check_digit(body, ALPHABET) for body in bodies if body != code[:-1]][:count]


def test_wrong_typed_codes_are_throttled_per_kiosk(
    app: Flask, client: FlaskClient, kiosk: KioskApi, patron: Patron
) -> None:
    code = welcome_mail_code().replace(" ", "")
    for guess in well_formed_guesses(5, code):
        assert kiosk.identify(method="qr", code=guess).json["error"] == "code_invalid"
    throttled = kiosk.identify(method="qr", code=code)
    assert throttled.status_code == 429 and throttled.json["error"] == "too_many_codes"
    other_kiosk = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    assert other_kiosk.identify(method="qr", code=code).status_code == 200
