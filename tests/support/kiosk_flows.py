"""Walking the kiosk in tests: a patron with a card who owes, tapping it, following events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient

from kiosk.demo import card_tag
from kiosk.devices import Devices
from kiosk.hardware.simulated import SIMULATED_READER, SimulatedCardReader
from portal.extensions import db
from shared.clock import SYSTEM_CLOCK, Clock
from shared.models.patron import Patron
from tests.support.accounts import give_card, member
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices
from tests.support.kiosk_api import register_kiosk

CARD = "2527000000017"
EVENT_WAIT_SECONDS = 3.0


def owing_card_holder(portal: Flask, client: FlaskClient, owed: str = "12.50") -> Patron:
    """A paid member with an issued card (no chip recorded) who owes `owed`."""
    patron = member(client)
    give_card(patron, CARD)
    result = portal.test_cli_runner().invoke(
        args=[
            "ledger",
            "charge",
            patron.customer_number,
            owed,
            "Te laat",
            "--key",
            f"fee-{patron.id}",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return patron


def place(devices: Devices, number: str | None) -> None:
    """Lay a card encoded with `number` on the reader (None takes the card away)."""
    reader = devices.card_reader
    assert isinstance(reader, SimulatedCardReader)
    reader.place(SIMULATED_READER, card_tag(number) if number else None)


def next_event(kiosk: FlaskClient, session: bool = False) -> str | None:
    """Poll /events until it says where to go (or give up after a few seconds)."""
    deadline = time.monotonic() + EVENT_WAIT_SECONDS
    while time.monotonic() < deadline:
        go = kiosk.get("/events" + ("?session=1" if session else "")).json["go"]
        if go:
            return go
    return None


def tap(kiosk: FlaskClient, devices: Devices, number: str = CARD) -> str | None:
    """Tap a card on the start screen; where the kiosk goes."""
    place(devices, number)
    return next_event(kiosk)


def in_english(kiosk: FlaskClient) -> None:
    """Switch the kiosk to English for the patron at hand."""
    assert kiosk.post("/taal", data={"lang": "en", "next": "/"}).status_code == 303


@contextmanager
def tapped_kiosk(
    portal: Flask,
    client: FlaskClient,
    portal_url: str,
    csrf: bool = False,
    clock: Clock = SYSTEM_CLOCK,
    **settings: object,
) -> Iterator[tuple[Flask, FlaskClient, Devices]]:
    """A kiosk of its own on `clock` (`settings` over the test defaults) at which the owing card
    holder just tapped: the app, its browser and its devices."""
    owing_card_holder(portal, client)
    devices = simulated_devices()
    token = register_kiosk(portal, "Kiosk hal", "--terminal", TERMINAL)
    config = kiosk_config(portal_url, token, csrf, **settings)
    with running_kiosk(config, devices, clock) as kiosk_app:
        kiosk = kiosk_app.test_client()
        assert tap(kiosk, devices) == "/pas"
        yield kiosk_app, kiosk, devices
