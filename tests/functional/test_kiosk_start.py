"""The kiosk's start: tapping a card opens the patron screen; leaving or idling ends it."""

import time

from flask import Flask
from flask.testing import FlaskClient

from kiosk.demo import blank_tag
from kiosk.devices import Devices
from kiosk.hardware.simulated import SIMULATED_READER
from tests.support.kiosk import TERMINAL, add_device, kiosk_config, running_kiosk, simulated_devices
from tests.support.kiosk_flows import CARD, in_english, next_event, owing_card_holder, place, tap


def test_tapping_a_card_shows_the_patron(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    patron = owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    in_english(kiosk)
    page = kiosk.get("/pas").get_data(as_text=True)
    assert "M.J. van Dijk" in page and "€12.50" in page
    assert patron.subscriptions[0].end_date.strftime("%Y") in page
    assert "/betalen" in page


def test_unknown_and_blank_cards_are_refused(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    kiosk = kiosk_app.test_client()
    go = tap(kiosk, kiosk_devices, "2527000000025")
    assert go is not None and "reason=unknown_card" in go
    assert 'role="alert"' in kiosk.get(go).get_data(as_text=True)
    assert kiosk.get("/pas").status_code == 302
    place(kiosk_devices, None)
    assert kiosk.get("/events").json["go"] is None  # the card left: a blank one is a new tap
    kiosk_devices.card_reader.place(SIMULATED_READER, blank_tag())
    assert "reason=card_not_encoded" in (next_event(kiosk) or "")


def test_taking_the_card_away_ends_the_session(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    tap(kiosk, kiosk_devices)
    place(kiosk_devices, None)
    assert next_event(kiosk, session=True) == "/"
    gone = kiosk.get("/pas")
    assert gone.status_code == 302 and gone.location == "/"


def test_an_idle_session_is_forgotten(app: Flask, client: FlaskClient, portal_server: str) -> None:
    owing_card_holder(app, client)
    devices = simulated_devices()
    config = kiosk_config(
        portal_server,
        add_device(app, "--terminal", TERMINAL),
        KIOSK_IDLE_SECONDS=1,
        KIOSK_COUNTDOWN_SECONDS=0,
    )
    with running_kiosk(config, devices) as kiosk_app:
        kiosk = kiosk_app.test_client()
        tap(kiosk, devices, CARD)
        assert "van Dijk" in kiosk.get("/pas").get_data(as_text=True)
        time.sleep(1.2)
        gone = kiosk.get("/pas")
        assert gone.status_code == 302
        assert "van Dijk" not in kiosk.get("/").get_data(as_text=True)


def test_stopping_wipes_the_browser(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    tap(kiosk, kiosk_devices)
    stopped = kiosk.post("/stoppen")
    assert stopped.status_code == 303
    assert '"cookies"' in stopped.headers["Clear-Site-Data"]
    assert "kiosk_session=;" in stopped.headers["Set-Cookie"]
    assert kiosk.get("/pas").status_code == 302
