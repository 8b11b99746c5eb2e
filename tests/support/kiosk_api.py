"""Calls the kiosk API as a registered kiosk would: device token, ticket, JSON."""

import json
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared import tokens
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from tests.support.accounts import PASSWORD
from tests.support.signup import signed_up

API = "/api/kiosk/v1"
PASSPORT = {
    "outcome": "read",
    "document_type": "P",
    "expiry_date": "2031-06-30",
    "sod_hash_ok": True,
    "chain_checked": False,
}


def register_kiosk(app: Flask, name: str = "Kiosk hal", *extra: str) -> str:
    """Register a kiosk in Ruinerwold through the CLI; its token."""
    result = app.test_cli_runner().invoke(
        args=["kiosk", "add-device", name, "--branch", "5270", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["token"]


def owing_patron(app: Flask, client: FlaskClient) -> Patron:
    """A signed-up patron who owes a EUR 12.50 fee."""
    signed_up(client)
    patron = db.session.scalars(select(Patron)).one()
    charge = ["ledger", "charge", patron.customer_number, "12.50", "Te laat", "--key", "fee-1"]
    result = app.test_cli_runner().invoke(args=charge)
    assert result.exit_code == 0, result.output
    return patron


def kiosk_payment(client: FlaskClient, token: str, patron: Patron, key: str) -> TestResponse:
    """POST /payments of a kiosk for all the patron owes, under an idempotency key."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return client.post(f"{API}/payments", headers=headers, json={"patron": patron.customer_number})


class KioskApi:
    """One kiosk's view of the API."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def call(
        self, method: str, path: str, ticket: str | None = None, body: object = None
    ) -> TestResponse:
        """One call with the device token (and the ticket, if given)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if ticket:
            headers["X-Kiosk-Ticket"] = ticket
        return self.client.open(API + path, method=method, headers=headers, json=body)

    def identify(self, **body: object) -> TestResponse:
        """POST /identify."""
        return self.call("POST", "/identify", body=body)

    def ticket(self, patron: Patron, method: str = "password") -> str:
        """A ticket for the patron, identified by password or by the welcome mail's code."""
        if method == "qr":
            response = self.identify(method="qr", code=collection_code(patron))
        else:
            response = self.identify(
                method="password", login=patron.customer_number, password=PASSWORD
            )
        assert response.status_code == 200, response.json
        return response.json["ticket"]

    def verify_id(self, patron: Patron, ticket: str) -> TestResponse:
        """An ID check whose reading matches the patron's record."""
        reading = {**PASSPORT, "surname": f"{patron.prefix} {patron.surname}".upper()}
        reading["birth_date"] = patron.birth_date.isoformat()
        return self.call("POST", "/id-checks", ticket, reading)


def collection_code(patron: Patron) -> str:
    """The code of the patron's welcome mail QR code."""
    secret = current_app.config["SECRET_KEY"]
    return tokens.make_token(secret, tokens.CARD_COLLECTION, {"patron": patron.id}, now())


def queued_mail(kind: str) -> tuple[OutboxMail, EmailMessage]:
    """The one queued mail of a kind, and its message parsed."""
    row = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)).one()
    return row, BytesParser(policy=policy.default).parsebytes(row.message)


def welcome_mail_code() -> str:
    """The short kiosk code of the (one) welcome mail, as the patron reads it there."""
    text = queued_mail("welcome")[1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"\b([0-9A-Z]{4} [0-9A-Z]{5})\b", text)[1]
