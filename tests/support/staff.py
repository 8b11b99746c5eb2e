"""Staff at the desk: a staff member made by the command and logged in to a test client, through
every step of the staff login (password, code from the authenticator app, own password)."""

import re
from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared.accounts.staff import find_by_username
from shared.models.patron import Patron
from shared.models.staff import StaffMember
from tests.support.accounts import create_staff, log_in
from tests.support.signup import csrf_token, csrf_token_in

SECOND_STEP = "/balie/tweede-stap"
CHANGE_PASSWORD = "/mijn-account/wachtwoord"
# What desk_session's members choose at their first login.
OWN_PASSWORD = "Zeven blauwe reigers op de brug"


def desk_session(
    app: Flask, client: FlaskClient, username: str = "balie", role: str = "desk"
) -> FlaskClient:
    """A staff member of this role, made and logged in on `client` (every step the desk's
    login asks for); the client."""
    shown = create_staff(app, username, f"{username}@example.nl", role)
    assert log_in(client, username, shown["password"]).location == SECOND_STEP
    code = code_at(pyotp.parse_uri(shown["otpauth_uri"]))
    assert type_code(client, code).location == CHANGE_PASSWORD
    assert change_password(client, shown["password"]).status_code == 303
    return client


def code_at(app: pyotp.TOTP, seconds: int = 0) -> str:
    """The code the authenticator app shows at the portal's time, moved by `seconds` (a
    phone's clock off)."""
    return app.at(int((now() + timedelta(seconds=seconds)).timestamp()))


def type_code(client: FlaskClient, code: str, path: str = SECOND_STEP) -> TestResponse:
    """Submit the second step's form (at `path`, with its `next`)."""
    token = csrf_token(client.get(path))
    return client.post(path, data={"csrf_token": token, "code": code})


def enrol(client: FlaskClient, path: str = SECOND_STEP) -> TestResponse:
    """Set up the second factor the second step offers (with the key shown as text, as an
    authenticator app takes it typed); the answer to its first code."""
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', client.get(path).get_data(True))
    assert key is not None, "no key to set up"
    return type_code(client, code_at(pyotp.TOTP(key[1].replace(" ", ""))), path)


def change_password(client: FlaskClient, current: str, new: str = OWN_PASSWORD) -> TestResponse:
    """Submit the change-password form."""
    token = csrf_token(client.get(CHANGE_PASSWORD))
    form = {"current_password": current, "password": new, "password_confirm": new}
    return client.post(CHANGE_PASSWORD, data={"csrf_token": token, **form})


def staff_member_named(username: str) -> StaffMember:
    """The staff member of this username, as stored now."""
    account = find_by_username(db.session, username)
    assert account is not None
    db.session.refresh(account)
    return db.session.get_one(StaffMember, account.id)


def authenticator_of(username: str) -> pyotp.TOTP:
    """The authenticator app holding the staff member's secret."""
    return pyotp.TOTP(staff_member_named(username).totp_secret or "")


def screen(browser: FlaskClient, number: str) -> str:
    """The patron screen's HTML, answered with 200."""
    response = browser.get(f"/balie/klanten/{number}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section(html: str, name: str) -> str:
    """The text of one section of the screen (tags removed, spaces folded)."""
    found = re.search(rf'<section aria-labelledby="{name}">(.*?)</section>', html, re.S)
    assert found, f"no section {name}"
    return text_of(found[1])


def lending(html: str) -> str:
    """The text of the notice saying whether lending is blocked and why."""
    found = re.search(r'aria-labelledby="lending">(.*?)</div>', html, re.S)
    assert found, "no lending notice"
    return text_of(found[1])


def text_of(html: str) -> str:
    """The text of some HTML: tags removed, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page_of(patron: Patron) -> str:
    """The address of the patron's refusal page (invalid, blacklisted)."""
    return f"/balie/klanten/{patron.customer_number}/abonnement-status"


def refuse(browser: FlaskClient, patron: Patron, status: str, reason: str) -> TestResponse:
    """Open the refusal page and send its form (with the status the page showed)."""
    html = browser.get(page_of(patron)).get_data(as_text=True)
    seen = re.search(r'<input id="seen" name="seen" type="hidden" value="(\w+)">', html)
    assert seen, "no refusal form on the page"
    form = {"status": status, "reason": reason, "seen": seen[1]}
    return browser.post(page_of(patron), data={"csrf_token": csrf_token_in(html), **form})


def lift(browser: FlaskClient, patron: Patron, seen: str) -> TestResponse:
    """Press *Lift the refusal* for a refusal the page showed as `seen`."""
    html = browser.get(page_of(patron)).get_data(as_text=True)
    assert 'id="refusal"' in html, "no lift button on the page"
    form = {"csrf_token": csrf_token_in(html), "refusal": seen}
    return browser.post(f"{page_of(patron)}/opheffen", data=form)
