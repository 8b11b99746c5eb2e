"""Staff at the desk: a staff member made by the command and logged in to a test client, through
every step of the staff login (password, code from the authenticator app, own password)."""

import re
from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.wiring import now
from tests.support.accounts import create_staff, log_in
from tests.support.signup import csrf_token

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
