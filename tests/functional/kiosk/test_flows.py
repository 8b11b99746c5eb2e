"""The flows a branch offers (KIOSK_FLOWS): the others leave the start and patron screens, and
their pages answer as pages that do not exist (the kiosk's error page, back to the start)."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.devices import Devices
from shared.models.patron import Patron
from tests.support.kiosk import until
from tests.support.kiosk_collect import log_in_at_kiosk, said
from tests.support.kiosk_flows import owing_card_holder, place, tap

CHOICES = {
    "collect": 'href="/ophalen/inloggen"',
    "lost": 'href="/ophalen/inloggen?purpose=lost"',
    "guest": 'href="/gastlener"',
}
PAGES = {  # a page of each flow, as a patron's browser could ask for it
    "pay": [("get", "/betalen"), ("post", "/betalen"), ("get", "/betalen/klaar")],
    "collect": [("get", "/ophalen/inloggen"), ("get", "/ophalen"), ("get", "/ophalen/klaar")],
    "lost": [
        ("get", "/ophalen/inloggen?purpose=lost"),
        ("post", "/ophalen/inloggen?purpose=lost"),
        ("get", "/kwijt"),
    ],
    "guest": [("get", "/gastlener")],
}


@pytest.fixture
def patron(app: Flask, client: FlaskClient) -> Patron:
    """A card holder who owes; their password logs in too."""
    return owing_card_holder(app, client)


@pytest.mark.parametrize("left_out", ["pay", "collect", "lost", "guest"])
def test_a_flow_not_offered_is_nowhere_to_be_found(
    kiosk_app: Flask, kiosk_devices: Devices, patron: Patron, left_out: str
) -> None:
    kiosk_app.config["KIOSK_FLOWS"] = tuple(f for f in PAGES if f != left_out)
    kiosk = kiosk_app.test_client()
    home = kiosk.get("/").get_data(as_text=True)
    for flow, choice in CHOICES.items():
        assert (choice in home) == (flow != left_out), flow
    watcher = kiosk_app.extensions["kiosk"].watcher
    for method, path in PAGES[left_out]:
        assert tap(kiosk, kiosk_devices) == "/pas"
        place(kiosk_devices, None)  # the next tap is a new one once the kiosk saw it go
        assert until(lambda: not watcher.present)
        answer = getattr(kiosk, method)(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404, (method, path)
        assert said(kiosk_app, "This page does not exist.") in page
        assert answer.headers["Refresh"] == "8; url=/"  # back to the start screen
        assert kiosk_app.extensions["kiosk"].sessions.current() is None  # the patron is gone
    for flow, pages in PAGES.items():
        if flow != left_out:
            method, path = pages[0]
            assert getattr(kiosk, method)(path).status_code != 404, path


def test_the_patron_screen_offers_only_the_branch_s_flows(
    kiosk_app: Flask, kiosk_devices: Devices, patron: Patron
) -> None:
    kiosk = kiosk_app.test_client()
    log_in_at_kiosk(kiosk, patron.customer_number, purpose="lost")
    assert kiosk.get("/kwijt").status_code == 200
    everything = kiosk.get("/pas").get_data(as_text=True)
    assert 'href="/betalen"' in everything and 'href="/kwijt"' in everything
    kiosk_app.config["KIOSK_FLOWS"] = ("collect", "guest")
    offered = kiosk.get("/pas").get_data(as_text=True)
    assert 'href="/betalen"' not in offered and 'href="/kwijt"' not in offered
    home = kiosk_app.test_client().get("/").get_data(as_text=True)
    paying = "You will see your subscription and what you owe, and you can pay it here."
    assert said(kiosk_app, paying) not in home
    assert said(kiosk_app, "You will see your subscription and what you owe.") in home


def test_without_collecting_a_blocked_card_is_replaced_at_the_desk(
    kiosk_app: Flask, patron: Patron
) -> None:
    kiosk_app.config["KIOSK_FLOWS"] = ("pay", "lost")
    kiosk = kiosk_app.test_client()
    assert log_in_at_kiosk(kiosk, patron.customer_number, purpose="lost").location == "/kwijt"
    assert kiosk.post("/kwijt").location == "/kwijt/geblokkeerd"
    page = kiosk.get("/kwijt/geblokkeerd").get_data(as_text=True)
    desk = "You can collect a new card at the desk. Bring your ID document."
    assert said(kiosk_app, desk) in page and 'href="/ophalen"' not in page
    last_step = f'"step-name">{said(kiosk_app, "Ready")}</span>'
    assert last_step in page and f'"step-name">{said(kiosk_app, "New card")}' not in page
    assert 'href="/ophalen"' not in kiosk.get("/pas").get_data(as_text=True)  # needs a card now
