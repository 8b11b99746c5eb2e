"""Patrons who can log in: a paid signup with a confirmed login account, and cards."""

import json
import re
from email import message_from_bytes, policy

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.models.card import Card, CardRole, CardStatus
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from tests.support.signup import account_data, csrf_token, signed_up

PASSWORD = account_data()["password"]


def member(
    client: FlaskClient, subscription: str = "0045", plan: str | None = None, **account: str
) -> Patron:
    """A paid patron whose login account is confirmed (account fields as in the signup)."""
    payment = signed_up(client, subscription, payment_plan=plan, account=account_data(**account))
    patron = db.session.get_one(Patron, payment.patron_id)
    patron.login_account.confirmed_at = now()
    db.session.commit()
    return patron


def give_card(
    patron: Patron, number: str, role: str = CardRole.MAIN, status: str = CardStatus.ACTIVE
) -> Card:
    """A card for the patron, as the kiosk or the desk will issue it."""
    card = Card(patron_id=patron.id, number=number, role=role, status=status, issued_at=now())
    db.session.add(card)
    db.session.commit()
    return card


def first_login(client: FlaskClient, patron: Patron, email: str, password: str) -> str:
    """Send the first-login form (after a login without e-mail) with the patron's own data and
    this address and password; where it leads."""
    form = client.get("/eerste-keer")
    assert form.status_code == 200, form.location
    answers = {
        "email": email,
        "password": password,
        "password_confirm": password,
        "surname": patron.surname,
        "first_name": patron.first_name,
        "postcode_digits": patron.postcode[:4],
        "terms": "y",
    }
    done = client.post("/eerste-keer", data={"csrf_token": csrf_token(form), **answers})
    assert done.status_code == 303, done.get_data(as_text=True)
    return done.location


def log_in(
    client: FlaskClient, login: str, password: str = PASSWORD, next_path: str = ""
) -> object:
    """Submit the login form."""
    url = "/inloggen" + (f"?next={next_path}" if next_path else "")
    token = csrf_token(client.get(url))
    return client.post(url, data={"csrf_token": token, "login": login, "password": password})


def mailed_path(kind: str, prefix: str) -> str:
    """The path (from `prefix` on) of the link in the newest mail of this kind."""
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None, f"no {kind} mail"
    text = message_from_bytes(mail.message, policy=policy.default).get_body(("plain",))
    return re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", text.get_content())[1]


def create_staff(
    app: Flask, username: str = "balie", email: str = "balie@example.nl", role: str = "desk"
) -> dict[str, str]:
    """Make a staff login with the command; what it printed (username, one-time password and
    the otpauth URI of the second factor)."""
    args = ["accounts", "create-staff", username, "--email", email, "--role", role]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["username"] == username and shown["otpauth_uri"].startswith("otpauth://totp/")
    return shown
