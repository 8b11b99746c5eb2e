"""The patron's language in Chromium with the kiosk's own script (its /events long-poll, the idle
countdown and keep-alive): English chosen on the start screen holds across a tap made at once,
a login and the flows' pages; for a slow reader too; and the next patron starts in Dutch."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from shared.models.patron import Patron
from tests.support.browser import TIMEOUT_MS, chromium
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_collect import PASSWORD
from tests.support.kiosk_flows import CARD, owing_card_holder, place
from tests.support.servers import running_server

SLOW = {"KIOSK_IDLE_SECONDS": 2, "KIOSK_COUNTDOWN_SECONDS": 2, "KIOSK_KEEPALIVE_SECONDS": 1}


@contextmanager
def kiosk_page(app: Flask, portal_server: str, **timing: int) -> Iterator[tuple[Page, str, object]]:
    """Chromium on a kiosk of its own (CSRF on, as at a branch): the page, its address and the
    kiosk's devices."""
    devices = simulated_devices()
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    config = kiosk_config(portal_server, token, csrf=True, **timing)
    with (
        running_kiosk(config, devices) as kiosk_app,
        running_server(kiosk_app) as server,
        chromium() as browser,
    ):
        page = browser.new_page(viewport={"width": 1080, "height": 1920})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server)
        yield page, server, devices


def choose_english(page: Page) -> None:
    """Press the language button of the page shown."""
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def in_english(page: Page, heading: str) -> None:
    """The page shown is English, with this heading."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.browser
def test_english_holds_across_a_tap_a_login_and_the_flows(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    patron = owing_card_holder(app, client)  # their own language is Dutch
    with kiosk_page(app, portal_server) as (page, server, devices):
        choose_english(page)
        place(devices, CARD)  # at once: the previous page's poll is still waiting
        expect(page).to_have_url(f"{server}/pas")
        in_english(page, "Hello M.J. van Dijk")
        page.get_by_role("link", name="Pay what I owe").click()
        in_english(page, "Pay what you owe")
        expect(page.get_by_role("main")).to_contain_text("€\xa012,50")
        page.get_by_role("link", name="Back").click()
        page.get_by_role("button", name="Stop and log out").click()
        expect(page.locator("html")).to_have_attribute("lang", "nl")  # the next patron's
        place(devices, None)

        choose_english(page)
        page.get_by_role("link", name="I lost my card").click()
        log_in(page, patron)
        in_english(page, "Block your card?")
        page.get_by_role("link", name="No, go back").click()
        in_english(page, "Hello M.J. van Dijk")
        page.get_by_role("button", name="Stop and log out").click()

        choose_english(page)
        page.get_by_role("link", name="Collect my card").click()
        log_in(page, patron)
        in_english(page, "There is no card to collect")


def log_in(page: Page, patron: Patron) -> None:
    """Type the patron's number and password on the identify page and log in."""
    page.get_by_label("Login name").fill(patron.customer_number)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_slow_reader_keeps_english_and_the_next_patron_starts_in_dutch(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    owing_card_holder(app, client)
    with kiosk_page(app, portal_server, **SLOW) as (page, server, devices):
        choose_english(page)
        for _ in range(9):  # 6 s of reading and touching: longer than the server's idle time
            page.keyboard.press("Shift")
            page.wait_for_timeout(700)
        place(devices, CARD)
        expect(page).to_have_url(f"{server}/pas")
        in_english(page, "Hello M.J. van Dijk")
        place(devices, None)
        expect(page).to_have_url(f"{server}/")

        choose_english(page)  # and walk away
        expect(page.locator("#idle-dialog")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "nl", timeout=TIMEOUT_MS)
        place(devices, CARD)
        expect(page).to_have_url(f"{server}/pas")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hallo M.J. van Dijk")
