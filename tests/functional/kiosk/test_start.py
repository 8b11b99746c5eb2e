"""The kiosk's start: tapping a card opens the patron screen; leaving or idling ends it."""

import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from kiosk.card_watch import CardWatcher
from kiosk.demo import blank_tag
from kiosk.devices import Devices
from kiosk.hardware.simulated import SIMULATED_READER
from kiosk.refusals import refusal_message
from portal.extensions import db
from shared.clock import SYSTEM_CLOCK, ManualClock
from shared.models.account import AccountStatus
from tests.support.kiosk import (
    form_token,
    page_number,
)
from tests.support.kiosk_collect import said
from tests.support.kiosk_flows import (
    CARD,
    in_english,
    next_event,
    owing_card_holder,
    place,
    tap,
    tapped_kiosk,
)
from tests.support.staff import desk_session, refuse

FAST_IDLE = {"KIOSK_IDLE_SECONDS": 1, "KIOSK_COUNTDOWN_SECONDS": 0, "KIOSK_KEEPALIVE_SECONDS": 0}


def test_tapping_a_card_shows_the_patron(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    patron = owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    in_english(kiosk)
    page = kiosk.get("/pas").get_data(as_text=True)
    assert "M.J. van Dijk" in page and "€\xa012,50" in page  # the euro as written here
    assert patron.subscriptions[0].end_date.strftime("%Y") in page
    assert "/betalen" in page


def test_a_tap_right_after_a_page_change_goes_to_the_page_shown(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    left = page_number(kiosk.get("/gastlener").get_data(as_text=True))
    shown = page_number(kiosk.get("/").get_data(as_text=True))  # "Back to the start"
    place(kiosk_devices, CARD)  # while the page left still has a poll waiting
    assert kiosk.get(f"/events?page={left}").json["go"] is None
    assert kiosk.get(f"/events?page={shown}").json["go"] == "/pas"


def test_a_fetch_answered_with_an_error_page_leaves_the_taps_to_the_page_shown(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    shown = page_number(kiosk.get("/").get_data(as_text=True))
    assert kiosk.get("/logo", headers={"Sec-Fetch-Dest": "image"}).status_code == 404  # none set
    assert kiosk.get("/weg", headers={"Sec-Fetch-Dest": "empty"}).status_code == 404
    place(kiosk_devices, CARD)
    assert kiosk.get(f"/events?page={shown}").json["go"] == "/pas"


def test_a_refused_patron_tapping_the_card_is_sent_to_the_desk(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    kiosk_app: Flask,
    kiosk_devices: Devices,
) -> None:
    patron = owing_card_holder(app, client)
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    assert refuse(coordinator, patron, "invalid", "Post komt retour").status_code == 303
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    page = kiosk.get("/pas").get_data(as_text=True)
    refused = (
        "The library has blocked your subscription: you cannot collect a card or borrow now."
        " The desk can tell you more."
    )
    assert said(kiosk_app, refused) in page and "Post komt retour" not in page
    assert patron.subscriptions[0].end_date.strftime("%Y") not in page  # not valid, not a date
    assert "/betalen" in page  # what is owed can still be paid


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
    clock = ManualClock()
    with tapped_kiosk(app, client, portal_server, clock=clock, **FAST_IDLE) as (_app, kiosk, _):
        assert "van Dijk" in kiosk.get("/pas").get_data(as_text=True)
        clock.advance(1.0)
        assert "van Dijk" in kiosk.get("/pas").get_data(as_text=True)  # idle 1 s, not longer
        clock.advance(1.1)
        gone = kiosk.get("/pas")
        assert gone.status_code == 302
        assert "van Dijk" not in kiosk.get("/").get_data(as_text=True)


def test_stopping_wipes_the_browser(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    tap(kiosk, kiosk_devices)
    kiosk.set_cookie("session", "the-portals-login")  # same host, other port: the same jar
    stopped = kiosk.post("/stoppen")
    assert stopped.status_code == 303
    assert stopped.headers["Clear-Site-Data"] == '"cache", "storage"'
    cookies = stopped.headers.getlist("Set-Cookie")
    assert any(c.startswith("kiosk_session=;") for c in cookies)
    assert any(c.startswith("kiosk_form=;") for c in cookies)
    assert not any(c.startswith("session=") for c in cookies)
    assert kiosk.get_cookie("session").value == "the-portals-login"
    assert kiosk.get("/pas").status_code == 302


def test_the_server_waits_one_keepalive_past_the_countdown(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    timing = {"KIOSK_IDLE_SECONDS": 1, "KIOSK_COUNTDOWN_SECONDS": 0, "KIOSK_KEEPALIVE_SECONDS": 1}
    clock = ManualClock()
    with tapped_kiosk(app, client, portal_server, clock=clock, **timing) as (_app, kiosk, _):
        clock.advance(1.2)  # the page's countdown is over: the page, not the server, ends it now
        assert kiosk.get("/events?session=1").json["go"] is None
        clock.advance(1.0)
        assert kiosk.get("/events?session=1").json["go"] == "/"


def test_touches_keep_the_session_past_the_idle_time(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    clock = ManualClock()
    with tapped_kiosk(app, client, portal_server, clock=clock, **FAST_IDLE) as (_app, kiosk, _):
        for _ in range(4):  # the page's keep-alive while the patron types
            clock.advance(0.9)
            assert kiosk.post("/nog-hier").status_code == 204
        assert "van Dijk" in kiosk.get("/pas").get_data(as_text=True)


@pytest.fixture
def eager_threads() -> Iterator[None]:
    """Switch threads as often as possible, so a race shows instead of hiding."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("eager_threads")
def test_two_polls_at_once_open_one_session(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    for _ in range(12):  # the race is narrow: give it several chances
        opened, where = threading.Event(), []
        polls = [threading.Thread(target=_poll, args=(kiosk_app, opened, where)) for _ in range(2)]
        for poll in polls:
            poll.start()
        time.sleep(0.05)  # both wait for the card now
        place(kiosk_devices, CARD)
        for poll in polls:
            poll.join(timeout=10)
        assert sorted(where, key=str) == ["/pas", None]
        place(kiosk_devices, None)
        kiosk_app.test_client().post("/stoppen")


def _poll(kiosk_app: Flask, opened: threading.Event, where: list[str | None]) -> None:
    """Follow /events from a browser of its own until it is sent somewhere or the other was."""
    browser, deadline = kiosk_app.test_client(), time.monotonic() + 3
    while not opened.is_set() and time.monotonic() < deadline:
        go = browser.get("/events").json["go"]
        if go:
            opened.set()
            where.append(go)
            return
    where.append(None)


def test_a_stale_form_starts_again_and_a_fresh_one_works(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    with tapped_kiosk(app, client, portal_server, csrf=True) as (kiosk_app, kiosk, devices):
        token = form_token(kiosk.get("/pas").get_data(as_text=True))
        english = kiosk.post("/taal", data={"lang": "en", "next": "/pas", "csrf_token": token})
        assert english.location == "/pas"
        stale_fetch = kiosk.post(
            "/nog-hier", headers={"X-CSRFToken": "stale", "Sec-Fetch-Dest": "empty"}
        )
        assert stale_fetch.status_code == 400  # refused, but the patron's page goes on
        assert "van Dijk" in kiosk.get("/pas").get_data(as_text=True)
        stale = kiosk.post("/stoppen", data={"csrf_token": "from-before-a-restart"})
        page = stale.get_data(as_text=True)
        assert stale.status_code == 400 and 'role="alert"' in page  # the kiosk's error page
        assert stale.headers["Refresh"] == "8; url=/" and "van Dijk" not in page
        assert kiosk.get("/pas").location == "/"
        fresh = form_token(kiosk.get("/").get_data(as_text=True))
        assert kiosk.post("/taal", data={"lang": "en", "csrf_token": fresh}).location == "/"


@pytest.mark.parametrize(
    ("method", "path", "code", "title"),
    [
        ("get", "/nergens", 404, "This page does not exist."),
        ("get", "/stoppen", 405, "This cannot be done here."),
        ("get", "/kapot", 500, "Something went wrong. We start again."),
    ],
)
def test_a_wrong_address_starts_again(
    app: Flask,
    client: FlaskClient,
    kiosk_app: Flask,
    kiosk_devices: Devices,
    method: str,
    path: str,
    code: int,
    title: str,
) -> None:
    kiosk_app.add_url_rule("/kapot", view_func=broken)
    kiosk_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    tap(kiosk, kiosk_devices)
    in_english(kiosk)
    answer = getattr(kiosk, method)(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == code and title in page and "kiosk.js" in page
    assert answer.mimetype == "text/html"  # a page, not its source as text
    assert "In 8 seconds you are back at the start screen." in page  # in the patron's language
    assert answer.headers["Refresh"] == "8; url=/"  # the browser goes back by itself
    assert kiosk.get("/pas").location == "/"


def test_the_error_page_says_it_is_in_the_patron_s_language(kiosk_app: Flask) -> None:
    kiosk = kiosk_app.test_client()
    in_english(kiosk)
    page = kiosk.get("/nergens").get_data(as_text=True)
    assert '<html lang="en">' in page and "This page does not exist." in page
    assert '<button type="submit" name="lang" value="nl" lang="nl">Nederlands</button>' in page


@pytest.mark.parametrize("path", ["/gastlener", "/pas-geweigerd?reason=card_not_encoded"])
def test_the_language_switch_comes_back_to_the_same_page(kiosk_app: Flask, path: str) -> None:
    page = kiosk_app.test_client().get(path).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="{path}">' in page


def broken() -> str:
    """A page with a bug."""
    raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("account", "reason"), [("blocked", "account_blocked"), ("unconfirmed", "account_unconfirmed")]
)
def test_a_card_of_an_account_that_may_not_log_in_says_why(
    app: Flask,
    client: FlaskClient,
    kiosk_app: Flask,
    kiosk_devices: Devices,
    account: str,
    reason: str,
) -> None:
    patron = owing_card_holder(app, client)
    if account == "blocked":
        patron.login_account.status = AccountStatus.BLOCKED
    else:
        patron.login_account.confirmed_at = None
    db.session.commit()
    kiosk = kiosk_app.test_client()
    go = tap(kiosk, kiosk_devices)
    assert go is not None and f"reason={reason}" in go
    page = kiosk.get(go).get_data(as_text=True)
    with kiosk_app.test_request_context():
        expected = str(escape(refusal_message(reason)))
    assert expected in page
    assert (
        str(escape(said(kiosk_app, "This card is not known here. Please go to the desk.")))
        not in page
    )


def test_a_flow_gets_the_card_reader_within_one_watcher_poll(kiosk_devices: Devices) -> None:
    watcher = CardWatcher(kiosk_devices, SYSTEM_CLOCK)
    watcher.start()
    try:
        waits = []
        for _ in range(8):
            time.sleep(0.3)  # the watcher holds the reader in its poll again
            asked = time.monotonic()
            with kiosk_devices.reader_for_flow():
                waits.append(time.monotonic() - asked)
        print("waits for the reader:", [round(wait, 2) for wait in waits])
        assert max(waits) < 1.0
    finally:
        watcher.stop()


@pytest.mark.parametrize("trick", ["/\t/evil.example", "/\\evil.example", "/%2F%2Fevil.example"])
def test_the_kiosk_language_switch_stays_on_the_kiosk(kiosk_app: Flask, trick: str) -> None:
    response = kiosk_app.test_client().post("/taal", data={"lang": "en", "next": trick})
    assert response.status_code == 303 and response.location == "/"
