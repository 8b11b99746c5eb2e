"""Single sign-on for guest patrons (seed 003): a login account linked to a guest record gets the
library claim of the guest subscription (valid, its loan strips, a guest), and a service asking
for one library (scope `library:<ISIL>`) gets the claim of the record at that library."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.guests.registration import HomeCard, register_guest
from shared.models.catalogue import Branch
from shared.models.patron import Patron
from tests.functional.portal.test_guests import DOCUMENT
from tests.functional.portal.test_oidc import patron  # noqa: F401
from tests.support.accounts import log_in, member
from tests.support.oidc import add_service, authorize_url, tokens_for

ANNEN = "NL-070297"  # the ISIL of Annen's branch (9401), where the guest registers


def guest_of(patron: Patron) -> Patron:  # noqa: F811  (the fixture's name)
    """A guest record at Annen, linked to the patron's login account."""
    annen = db.session.scalars(select(Branch).where(Branch.code == "9401")).one()
    card = HomeCard("NL-087041", "28415000012345")
    guest = register_guest(db.session, card, None, DOCUMENT, annen, now()).patron
    guest.login_account_id = patron.login_account_id
    db.session.commit()
    return guest


def library_claim(client: FlaskClient, app: Flask, scope: str) -> dict:
    """The library claim the userinfo endpoint gives a first-party service for this scope."""
    service = add_service(app, "--first-party")
    token = tokens_for(client, service, scope=f"openid {scope}")["access_token"]
    answer = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    claim: dict = answer.json["library"]
    return claim


def test_the_library_asked_for_names_the_guest_record_and_its_guest_subscription(
    client: FlaskClient,
    app: Flask,
    patron: Patron,  # noqa: F811
) -> None:
    guest_of(patron)
    home = library_claim(client, app, "library")
    assert (home["isil"], home["guest"], home["loan_strips"]) == ("NL-083076", False, 0)
    assert library_claim(client, app, f"library:{ANNEN}") == {
        "isil": ANNEN,
        "subscription_valid": True,
        "online_library": False,
        "guest": True,
        "loan_strips": 125,
    }
    elsewhere = library_claim(client, app, "library:NL-999999")
    assert (elsewhere["isil"], elsewhere["subscription_valid"]) == ("NL-999999", False)


def test_a_login_of_a_guest_only_gets_the_guest_subscription(
    client: FlaskClient, app: Flask, new_browser: Callable[[], FlaskClient]
) -> None:
    browser = new_browser()
    regular = member(browser, username="alleen-gast", email="gast@example.nl")
    guest = guest_of(regular)
    regular.login_account_id = None
    db.session.commit()
    assert log_in(client, "alleen-gast").status_code == 303
    claim = library_claim(client, app, "library")
    assert (claim["isil"], claim["guest"], claim["subscription_valid"]) == (ANNEN, True, True)
    assert guest.login_account_id is not None


def test_the_consent_page_names_the_library_asked_for(
    client: FlaskClient,
    app: Flask,
    patron: Patron,  # noqa: F811
) -> None:
    service = add_service(app)
    page = client.get(authorize_url(service["client_id"], scope=f"openid library:{ANNEN}"))
    assert f"bibliotheek {ANNEN}" in page.get_data(as_text=True)
    refused = client.get(authorize_url(service["client_id"], scope="openid library:nl"))
    assert "invalid_scope" in refused.location
