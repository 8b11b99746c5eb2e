"""A refusal set at the desk bites everywhere alike: the kiosk API issues no card and says why,
the single sign-on's library claim says no, and the patron still logs in to read, in words and
without the staff's reason, why lending and the online library are refused; lifting it undoes
all of it."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from shared.models.patron import Patron
from shared.models.patron import SubscriptionStatus as Status
from tests.support.accounts import log_in, member
from tests.support.kiosk_api import KioskApi
from tests.support.oidc import add_service, tokens_for
from tests.support.signup import csrf_token
from tests.support.staff import desk_session, lift, refuse, text_of

CHIP = "04A1B2C3D4E5F6"
INVALID_WORDS = (
    "Je abonnement is ongeldig gemaakt door de bibliotheek. Je kunt nu niet lenen en de online"
    " bibliotheek niet gebruiken. Kom langs bij de balie."
)
BLACKLISTED_WORDS = (
    "Je abonnement is geblokkeerd door de bibliotheek. Je kunt nu niet lenen en de online"
    " bibliotheek niet gebruiken. Kom langs bij de balie."
)


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """A paid patron (Basis, with the online library) with a confirmed login and no card yet."""
    return member(client)


@pytest.fixture
def coordinator(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A coordinator logged in at the desk."""
    return desk_session(app, new_browser(), "hoofd", "coordinator")


def library_claim(client: FlaskClient, app: Flask) -> dict:
    """The `library` claim userinfo gives a first-party service for the logged-in patron."""
    service = add_service(app, "--first-party")
    token = tokens_for(client, service, scope="openid library")["access_token"]
    response = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["library"]


@pytest.mark.parametrize("status", ["invalid", "blacklisted"])
def test_the_kiosk_api_issues_no_card_and_says_the_library_refused(
    kiosk: KioskApi, coordinator: FlaskClient, patron: Patron, status: str
) -> None:
    assert refuse(coordinator, patron, status, "Fraude met de inschrijving").status_code == 303
    ticket = kiosk.ticket(patron)
    summary = kiosk.call("GET", "/patron", ticket).json["patron"]
    assert summary["subscription_valid"] is False and summary["subscription_refused"] is True
    assert summary["needs_card"] is True
    assert kiosk.verify_id(patron, ticket).json == {"verified": True}
    refused = kiosk.call("POST", "/cards", ticket, {"chip_uid": CHIP})
    assert refused.status_code == 409 and refused.json["error"] == "subscription_refused"
    assert "Fraude" not in refused.get_data(as_text=True)


def test_a_card_reserved_before_the_refusal_is_not_activated_after_it(
    kiosk: KioskApi, coordinator: FlaskClient, patron: Patron
) -> None:
    ticket = kiosk.ticket(patron)
    kiosk.verify_id(patron, ticket)
    number = kiosk.call("POST", "/cards", ticket, {"chip_uid": CHIP}).json["card_number"]
    assert refuse(coordinator, patron, "blacklisted", "Agressief").status_code == 303
    activate = kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    assert activate.status_code == 409 and activate.json["error"] == "subscription_refused"
    assert lift(coordinator, patron, "blacklisted").status_code == 303
    activate = kiosk.call("POST", f"/cards/{number}/activate", ticket, {"chip_uid": CHIP})
    assert activate.status_code == 200 and activate.json["patron"]["subscription_refused"] is False


def test_the_library_claim_says_no_while_refused(
    app: Flask, client: FlaskClient, coordinator: FlaskClient, patron: Patron
) -> None:
    assert log_in(client, "marieke85").status_code == 303
    assert library_claim(client, app)["online_library"] is True
    refuse(coordinator, patron, "invalid", "Post komt retour")
    assert library_claim(client, app) == {
        "isil": "NL-083076",
        "subscription_valid": False,
        "online_library": False,
        "guest": False,
        "loan_strips": 0,
    }
    lift(coordinator, patron, "invalid")
    claim = library_claim(client, app)
    assert claim["subscription_valid"] is True and claim["online_library"] is True


@pytest.mark.parametrize(
    ("status", "words", "shown"),
    [("invalid", INVALID_WORDS, "Ongeldig gemaakt door de bibliotheek"),
     ("blacklisted", BLACKLISTED_WORDS, "Geblokkeerd door de bibliotheek")],
)  # fmt: skip
def test_a_refused_patron_logs_in_and_reads_why_without_the_staffs_reason(
    client: FlaskClient,
    coordinator: FlaskClient,
    patron: Patron,
    status: str,
    words: str,
    shown: str,
) -> None:
    refuse(coordinator, patron, status, "Verdacht van diefstal")
    logged_in = log_in(client, "marieke85")
    assert logged_in.status_code == 303 and logged_in.location == "/mijn-account"
    page = text_of(client.get("/mijn-account").get_data(as_text=True))
    assert words in page and f"Status {shown}" in page
    assert "Verdacht" not in page and "zwarte lijst" not in page
    lift(coordinator, patron, status)
    page = text_of(client.get("/mijn-account").get_data(as_text=True))
    assert words not in page and "Status Actief" in page


def test_cancelling_a_refused_subscription_keeps_the_refusal(
    client: FlaskClient, coordinator: FlaskClient, patron: Patron
) -> None:
    refuse(coordinator, patron, "blacklisted", "Agressief")
    log_in(client, "marieke85")
    page = f"/mijn-account/{patron.id}/opzeggen"
    form = {"csrf_token": csrf_token(client.get(page)), "when": "end", "reason": "verhuisd"}
    stopped = client.post(page, data=form)
    assert stopped.status_code == 303
    db.session.expire_all()
    subscription = db.session.get_one(Patron, patron.id).subscriptions[0]
    assert subscription.status == Status.BLACKLISTED and subscription.cancelled_at is not None
    assert lift(coordinator, patron, "blacklisted").status_code == 303
    db.session.expire_all()
    assert db.session.get_one(Patron, patron.id).subscriptions[0].status == Status.CANCELLED
