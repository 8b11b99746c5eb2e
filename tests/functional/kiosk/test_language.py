"""The patron's language at the kiosk: chosen on the start screen, it holds for the whole session
(a tap racing the switch, a refused card, an error, the out-of-service screen), and every
session starts in the kiosk's own language."""

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.devices import Devices
from tests.support.kiosk import (
    TERMINAL,
    kiosk_config,
    page_number,
    running_kiosk,
    simulated_devices,
)
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_flows import in_english, next_event, owing_card_holder, place, tap
from tests.support.servers import free_port, running_server

UNKNOWN_CARD = "2527000000025"
POLL_UNDER_WAY_SECONDS = 0.1  # the poll waits for a card now (it waits 0.4 s)


def html_lang(page: str) -> str:
    """The language a kiosk page says it is in."""
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("poll_began", ["before the switch", "after the switch"])
def test_a_poll_without_the_new_cookie_leaves_the_tap_to_the_new_page(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices, poll_began: str
) -> None:
    owing_card_holder(app, client)  # their own language is Dutch
    for _ in range(3):  # the old poll must be waiting when the card comes: give it chances
        stale: list[str | None] = []
        browser = kiosk_app.test_client()
        shown = page_number(browser.get("/").get_data(as_text=True))
        # The start screen's last poll, sent before the browser had the English session's
        # cookie (it may reach the kiosk before or after the switch).
        old_page = threading.Thread(target=_poll_once, args=(kiosk_app, shown, stale))
        if poll_began == "before the switch":
            old_page.start()
            threading.Event().wait(POLL_UNDER_WAY_SECONDS)
            in_english(browser)
        else:
            in_english(browser)
            old_page.start()
            threading.Event().wait(POLL_UNDER_WAY_SECONDS)
        place(kiosk_devices, "2527000000017")  # before the English start screen is rendered
        old_page.join(timeout=5)
        assert stale == [None]  # it took neither the tap nor the English session
        browser.get("/")  # the switch's answer followed: the start screen in English
        assert next_event(browser) == "/pas"
        assert html_lang(browser.get("/pas").get_data(as_text=True)) == "en"
        place(kiosk_devices, None)
        assert next_event(browser, session=True) == "/"


def _poll_once(kiosk_app: Flask, page: str, answers: list[str | None]) -> None:
    """One /events poll of the page numbered `page`, without the kiosk's cookie; where it said
    to go."""
    answers.append(kiosk_app.test_client().get(f"/events?page={page}").json["go"])


def test_a_refused_card_is_explained_in_the_chosen_language(
    kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    kiosk = kiosk_app.test_client()
    in_english(kiosk)
    go = tap(kiosk, kiosk_devices, UNKNOWN_CARD)
    assert go is not None and "reason=unknown_card" in go
    page = kiosk.get(go).get_data(as_text=True)
    assert html_lang(page) == "en" and "not known here" in page
    assert kiosk_app.extensions["kiosk"].sessions.current().patron is None  # only the language


def test_a_refused_card_keeps_the_larger_text_too(kiosk_app: Flask, kiosk_devices: Devices) -> None:
    kiosk = kiosk_app.test_client()
    assert kiosk.post("/grotere-tekst", data={"larger": "1", "next": "/"}).status_code == 303
    go = tap(kiosk, kiosk_devices, UNKNOWN_CARD)
    assert go is not None
    page = kiosk.get(go).get_data(as_text=True)
    assert '<html lang="nl" class="text-larger">' in page  # Dutch, as the kiosk's own


def test_an_error_keeps_the_language_for_the_start_screen_after_it(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    in_english(kiosk)
    error = kiosk.get("/nergens")
    page = error.get_data(as_text=True)
    assert error.status_code == 404 and html_lang(page) == "en" and "does not exist" in page
    assert "Clear-Site-Data" in error.headers and "van Dijk" not in page
    start = kiosk.get("/").get_data(as_text=True)  # where the Refresh header goes
    assert html_lang(start) == "en" and 'data-session="1"' in start  # the idle countdown runs
    assert kiosk.get("/pas").location == "/"  # the patron is forgotten
    assert kiosk.post("/stoppen").location == "/"
    assert html_lang(kiosk.get("/").get_data(as_text=True)) == "nl"


def test_the_language_switch_keeps_where_the_patron_is(kiosk_app: Flask) -> None:
    kiosk = kiosk_app.test_client()
    page = kiosk.get("/ophalen/inloggen?purpose=lost").get_data(as_text=True)
    assert 'name="next" value="/ophalen/inloggen?purpose=lost"' in page
    switched = kiosk.post("/taal", data={"lang": "en", "next": "/ophalen/inloggen?purpose=lost"})
    english = kiosk.get(switched.location).get_data(as_text=True)
    assert html_lang(english) == "en" and "Log in to block your card" in english
    refused = kiosk.post("/ophalen/inloggen?purpose=lost", data={"purpose": "lost"})
    assert refused.status_code == 422  # the form, again, with what is missing
    assert 'name="next" value="/ophalen/inloggen?purpose=lost"' in refused.get_data(as_text=True)


def test_the_out_of_service_screen_is_in_the_patron_s_language(
    app: Flask, client: FlaskClient
) -> None:
    owing_card_holder(app, client)
    port, devices = free_port(), simulated_devices()
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    with running_kiosk(kiosk_config(f"http://127.0.0.1:{port}", token), devices) as kiosk_app:
        kiosk = kiosk_app.test_client()
        with running_server(app, port=port):
            assert tap(kiosk, devices) == "/pas"
            in_english(kiosk)
        gone = kiosk.post("/betalen")
        assert gone.location == "/buiten-gebruik?lang=en"
        shown = kiosk.get(gone.location)
        page = shown.get_data(as_text=True)
        assert html_lang(page) == "en" and "out of service" in page
        assert kiosk_app.extensions["kiosk"].sessions.current() is None
        idle = kiosk_app.config["KIOSK_IDLE_SECONDS"] + kiosk_app.config["KIOSK_COUNTDOWN_SECONDS"]
        assert shown.headers["Refresh"] == f"{idle}; url=/buiten-gebruik"  # then the next patron
        after = kiosk.get("/buiten-gebruik")
        assert html_lang(after.get_data(as_text=True)) == "nl" and "Refresh" not in after.headers


def test_every_session_starts_in_the_kiosk_s_own_language(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    owing_card_holder(app, client)  # their own language is Dutch
    devices = simulated_devices()
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    config = kiosk_config(portal_server, token, KIOSK_DEFAULT_LANGUAGE="en")
    with running_kiosk(config, devices) as kiosk_app:
        kiosk = kiosk_app.test_client()
        assert html_lang(kiosk.get("/").get_data(as_text=True)) == "en"
        assert kiosk.post("/taal", data={"lang": "nl", "next": "/"}).location == "/"
        assert tap(kiosk, devices) == "/pas"
        assert html_lang(kiosk.get("/pas").get_data(as_text=True)) == "nl"
        place(devices, None)
        assert next_event(kiosk, session=True) == "/"
        assert html_lang(kiosk.get("/").get_data(as_text=True)) == "en"
