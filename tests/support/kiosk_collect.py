"""Walking the kiosk's collect-card flow from a test: patrons, documents, tags and polling."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import date
from html.parser import HTMLParser
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from kiosk.demo import demo_document
from kiosk.devices import Devices
from kiosk.hardware.base import CardRemoved
from kiosk.hardware.emrtd.mrz import check_digit
from kiosk.hardware.simulated import SimulatedDocument, SimulatedTag
from portal.extensions import db
from portal.wiring import now
from shared.models.card import Card
from shared.models.id_check import IdCheck
from shared.models.patron import Patron
from shared.tokens import CARD_COLLECTION, make_token
from tests.conftest import TEST_SECRET
from tests.support.signup import ADULT_BIRTH_DATE, account_data

PASSWORD = account_data()["password"]
POLL_SECONDS = 10.0
SIGNUP_BIRTH = date.fromisoformat(ADULT_BIRTH_DATE)


class FlakyTag(SimulatedTag):
    """A blank tag that leaves the reader during its next `failures` block writes, and whose
    next `bad_readbacks` reads after a write come back wrong."""

    def __init__(self, identifier: bytes, failures: int = 0, bad_readbacks: int = 0) -> None:
        super().__init__(identifier)
        self.failures, self.bad_readbacks, self.written = failures, bad_readbacks, False

    def write_blocks(self, first: int, data: bytes) -> None:
        """Fail (the card moved) while failures are left, else write."""
        if self.failures > 0 and first != 0:
            self.failures -= 1
            raise CardRemoved("the card left the reader")
        super().write_blocks(first, data)
        self.written = True

    def read_blocks(self, first: int, count: int) -> bytes:
        """The blocks, or garbled ones while bad read-backs are left."""
        data = super().read_blocks(first, count)
        if self.written and self.bad_readbacks > 0:
            self.bad_readbacks -= 1
            return bytes(len(data))
        return data


class ActivationOutage:
    """The portal behind a gateway (a reverse proxy) that answers 503 to every card activation,
    as when the portal is away just then, and counts them; every other call reaches the portal.
    With `refuse=False` it passes activations on after `delay` seconds (a slow portal)."""

    def __init__(self, portal: Flask, refuse: bool = True, delay: float = 0.0) -> None:
        self.portal, self.refused = portal, 0
        self._refuse, self._delay = refuse, delay
        self.arrived = threading.Event()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Refuse (or delay) an activation, pass anything else on."""
        if not environ["PATH_INFO"].endswith("/activate"):
            return self.portal(environ, start_response)
        self.arrived.set()
        if not self._refuse:
            time.sleep(self._delay)
            return self.portal(environ, start_response)
        self.refused += 1
        away = Response("Service Unavailable", 503, mimetype="text/plain")
        return away(environ, start_response)


class _Inputs(HTMLParser):
    """Collects the attributes of every input element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep an input's attributes."""
        if tag == "input":
            self.found.append(dict(attrs))


def inputs(page: str) -> list[dict[str, str | None]]:
    """The attributes of each input element in the page's HTML."""
    parser = _Inputs()
    parser.feed(page)
    return parser.found


def qr_code(patron: Patron) -> str:
    """The card collection code of the patron's welcome mail."""
    return make_token(TEST_SECRET, CARD_COLLECTION, {"patron": patron.id}, now())


def td3_mrz(document: SimulatedDocument) -> tuple[str, str]:
    """The two MRZ lines of a passport for this document, with every check digit."""
    holder = document.holder
    names = f"{holder['surname']}<<{holder['given_names']}".replace(" ", "<")
    line1 = f"P<NLD{names}".ljust(44, "<")[:44]
    number = document.document_number.ljust(9, "<")
    birth, expiry, optional = document.birth_date, document.expiry_date, "<" * 14
    parts = [number + check_digit(number), "NLD", birth + check_digit(birth), "F"]
    parts += [expiry + check_digit(expiry), optional + "<"]
    body = "".join(parts)
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + check_digit(composite)


def typed_date(name: str, yymmdd: str, century: int) -> dict[str, str]:
    """A YYMMDD date as a patron types it from the document: day, month and year, each in
    its own part of the field `name`."""
    day, month, year = yymmdd[4:], yymmdd[2:4], f"{century}{yymmdd[:2]}"
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def typed_document(document: SimulatedDocument) -> dict[str, str]:
    """The ID form as the patron fills it in."""
    return {
        "document_number": document.document_number,
        **typed_date("birth_date", document.birth_date, 19),
        **typed_date("expiry_date", document.expiry_date, 20),
    }


def poll(client: FlaskClient, url: str, timeout: float = POLL_SECONDS) -> dict[str, str | None]:
    """Poll a progress URL as the page does until it says where to go."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get(url).json
        if answer["go"]:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"{url} never said where to go")


def poll_status(client: FlaskClient, url: str, words: str) -> str:
    """Poll a progress URL until its status contains `words`."""
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        status = client.get(url).json["status"] or ""
        if words in status:
            return status
        time.sleep(0.05)
    raise AssertionError(f"{url} never said {words!r}")


def said(app: Flask, msgid: str, locale: str = "nl", **values: object) -> str:
    """What the kiosk says for `msgid` in `locale` (the translation once there is one)."""
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **values)


def go_from(client: FlaskClient, url: str) -> str:
    """Where a progress page's poll sends the patron."""
    return str(poll(client, url)["go"])


def log_in_at_kiosk(client: FlaskClient, login: str, password: str = PASSWORD, **extra: str):
    """Type number and password on the identify form."""
    client.get("/ophalen/inloggen")
    data = {"login": login, "password": password, **extra}
    return client.post("/ophalen/inloggen", data=data)


def place_blank(devices: Devices, tag: SimulatedTag) -> None:
    """Lay a tag on the simulated card reader."""
    devices.card_reader.place(devices.card_reader_name, tag)  # type: ignore[attr-defined]


def portal_state(patron_id: int) -> tuple[bool, list[Card], list[IdCheck]]:
    """What the portal holds now: lending blocked, the patron's cards and ID checks."""
    db.session.expire_all()
    patron = db.session.get(Patron, patron_id)
    assert patron is not None
    cards = list(db.session.scalars(select(Card).where(Card.patron_id == patron_id)))
    checks = list(db.session.scalars(select(IdCheck).where(IdCheck.patron_id == patron_id)))
    return patron.lending_blocked, cards, checks


def patron_document(**changes: object) -> SimulatedDocument:
    """The ID document of the patron the signup helper registers (Marieke van Dijk)."""
    values = {"surname": "van Dijk", "given_names": "Marieke", "birth": SIGNUP_BIRTH} | changes
    return demo_document(**values)  # type: ignore[arg-type]
