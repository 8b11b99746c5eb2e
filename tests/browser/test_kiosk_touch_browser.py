"""Every kiosk flow finished by touch alone on a 1080 x 1920 portrait and a 1920 x 1080 landscape
touch screen: pay what you owe, collect a card by QR code, collect one with login name and
password and the ID document's details typed on the on-screen keyboard, and block a lost card.
Only taps on the screen (no key pressed, no mouse); every target at least 48 px and every key at
least 64 px; no axe violations with the keyboard open."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk.demo import blank_tag, tag_number
from kiosk.devices import Devices
from kiosk.hardware.simulated import SimulatedTag
from portal.extensions import db
from shared.models.payment import Payment
from tests.support.accounts import give_card, member
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium
from tests.support.kiosk_collect import (
    patron_document,
    place_blank,
    portal_state,
    qr_code,
    said,
    td3_mrz,
)
from tests.support.kiosk_flows import CARD, owing_card_holder, place
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.servers import running_server
from tests.support.touch import (
    keyboard,
    open_for,
    press,
    record_other_input,
    tap,
    tap_field,
    type_on_keyboard,
)

SCREENS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
LOST_CARD = "52700000012345"
# Capitals, a symbol and a space: the keyboard types what passwords need.
OWN_PASSWORD = "Lees#Uil 7x"
EMAIL = "marieke@example.nl"


@dataclass
class Screen:
    """The kiosk's touch screen in a browser, and every input that reached it not by touch."""

    page: Page
    app: Flask
    devices: Devices
    other_input: list[str]

    def said(self, msgid: str, **values: object) -> str:
        """What the kiosk says for msgid (in Dutch, the kiosk's language)."""
        return said(self.app, msgid, **values)

    def heading(self, msgid: str, **values: object) -> None:
        """The page's heading says msgid."""
        heading = self.page.get_by_role("heading", level=1)
        expect(heading).to_have_text(self.said(msgid, **values), timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module (each test has its own context)."""
    with chromium() as browser:
        yield browser


@pytest.fixture(params=list(SCREENS))
def screen(
    request: pytest.FixtureRequest, browser: Browser, kiosk_app: Flask, kiosk_devices: Devices
) -> Iterator[Screen]:
    """The kiosk's start screen on a touch screen of the kiosk's size (portrait, landscape)."""
    kiosk_app.config.update(
        KIOSK_DOCUMENT_TIMEOUT=5.0, KIOSK_BLANK_CARD_TIMEOUT=10.0, KIOSK_KEEPALIVE_SECONDS=1
    )
    with running_server(kiosk_app) as server:
        context = browser.new_context(viewport=SCREENS[request.param], has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        other_input = record_other_input(context)
        page = context.new_page()
        page.goto(server)
        yield Screen(page, kiosk_app, kiosk_devices, other_input)
        context.close()


def type_login(screen: Screen, login: str, password: str) -> None:
    """Type login name and password on the keyboard ("Done" goes on to the password)."""
    page = screen.page
    name = page.get_by_label(screen.said("Login name"), exact=True)
    tap_field(page, screen.app, name, screen.said("Login name"))
    type_on_keyboard(page, screen.app, login)
    expect(name).to_have_value(login)
    assert axe_violations(page) == []
    press(page, screen.app, "Done")
    secret = page.get_by_label(screen.said("Password"), exact=True)
    open_for(page, screen.app, secret, screen.said("Password"))
    type_on_keyboard(page, screen.app, password)
    expect(secret).to_have_value(password)


def type_date(screen: Screen, legend: str, day: str, month: str, year: str) -> None:
    """Type a date on the keypad from its day on: a full part goes on to the next by itself."""
    page, group = screen.page, screen.page.get_by_role("group", name=screen.said(legend))
    parts = [group.get_by_label(screen.said(part), exact=True) for part in ("Day", "Month", "Year")]
    open_for(page, screen.app, parts[0], f"{screen.said(legend)} – {screen.said('Day')}")
    expect(keyboard(page).locator("[data-layer=digits]")).to_be_visible()
    type_on_keyboard(page, screen.app, day + month + year)
    for part, typed in zip(parts, (day, month, year), strict=True):
        expect(part).to_have_value(typed)
    expect(parts[2]).to_be_focused()
    press(page, screen.app, "Done")


def type_document(screen: Screen, number: str, birth: str, expiry: str) -> None:
    """Type the document number (the keyboard starts in capitals) and the dates (DDMMYYYY) on
    the keypad; key taps keep the session alive; then tap "Check my document"."""
    page = screen.page
    field = page.get_by_label(screen.said("Document number"), exact=True)
    tap_field(page, screen.app, field, screen.said("Document number"))
    page.wait_for_timeout(1100)  # one keep-alive interval without a touch
    with page.expect_request(lambda request: request.url.endswith("/nog-hier")):
        type_on_keyboard(page, screen.app, number)
    expect(field).to_have_value(number)
    press(page, screen.app, "Done")
    assert axe_violations(page) == []
    type_date(screen, "Date of birth", birth[:2], birth[2:4], birth[4:])
    type_date(screen, "Valid until", expiry[:2], expiry[2:4], expiry[4:])
    button = page.get_by_role("button", name=screen.said("Check my document"))
    expect(keyboard(page)).to_be_hidden()
    expect(button).to_be_focused()
    tap(button)


def take_the_new_card(screen: Screen, tag: SimulatedTag) -> None:
    """The blank card was encoded: its number shows; on to the overview, and stop."""
    screen.heading("Your card is ready")
    expect(screen.page.get_by_role("main")).to_contain_text(str(tag_number(tag)))
    tap(screen.page.get_by_role("button", name=screen.said("To my overview")))
    stop(screen)


def stop(screen: Screen) -> None:
    """Tap "Stop and log out": the start screen again, reached by touch alone."""
    tap(screen.page.get_by_role("button", name=screen.said("Stop and log out")))
    screen.heading("Welcome to the library")
    assert screen.other_input == []


@pytest.mark.browser
def test_pay_by_touch(
    screen: Screen, app: Flask, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    owing_card_holder(app, client)
    page = screen.page
    place(screen.devices, CARD)
    tap(page.get_by_role("link", name=screen.said("Pay what I owe")))
    tap(page.get_by_role("button", name=re.compile("12,50")))
    expect(page).to_have_url(re.compile("/betalen/terminal$"))
    payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
    assert payment is not None and payment.provider_id is not None
    mollie_sandbox.set_status(payment.provider_id, "paid", webhook=False)
    screen.heading("Paid. Thank you!")
    tap(page.get_by_role("button", name=screen.said("Back to my overview")))
    expect(page.get_by_role("main")).to_contain_text("0,00")
    stop(screen)


@pytest.mark.browser
def test_collect_a_card_by_qr_code_by_touch(
    screen: Screen, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    patron = member(client)
    tap(screen.page.get_by_role("link", name=screen.said("Collect my card")))
    screen.heading("Collect your card")
    screen.devices.scanner.type_line(qr_code(patron))  # type: ignore[attr-defined]
    screen.heading("Check your ID document")
    document = patron_document()
    screen.devices.document_reader.place(document)  # type: ignore[attr-defined]
    place_blank(screen.devices, tag := blank_tag())
    screen.devices.scanner.type_line("|".join(td3_mrz(document)))  # type: ignore[attr-defined]
    take_the_new_card(screen, tag)


@pytest.mark.browser
def test_collect_a_card_with_password_and_typed_document_by_touch(
    screen: Screen, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    member(client, password=OWN_PASSWORD, password_confirm=OWN_PASSWORD)
    tap(screen.page.get_by_role("link", name=screen.said("Collect my card")))
    type_login(screen, EMAIL, OWN_PASSWORD)
    press(screen.page, screen.app, "Done")  # after the last field: to the button that sends
    button = screen.page.get_by_role("button", name=screen.said("Log in"))
    expect(keyboard(screen.page)).to_be_hidden()
    expect(button).to_be_focused()
    tap(button)
    screen.heading("Check your ID document")
    document = patron_document()
    screen.devices.document_reader.place(document)  # type: ignore[attr-defined]
    place_blank(screen.devices, tag := blank_tag())
    birth, expiry = document.birth_date, document.expiry_date
    type_document(
        screen,
        document.document_number,
        f"{birth[4:]}{birth[2:4]}19{birth[:2]}",
        f"{expiry[4:]}{expiry[2:4]}20{expiry[:2]}",
    )
    take_the_new_card(screen, tag)


@pytest.mark.browser
def test_block_a_lost_card_by_touch(
    screen: Screen, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    patron = member(client, password=OWN_PASSWORD, password_confirm=OWN_PASSWORD)
    give_card(patron, LOST_CARD)
    tap(screen.page.get_by_role("link", name=screen.said("I lost my card")))
    screen.heading("Log in to block your card")
    type_login(screen, LOST_CARD, OWN_PASSWORD)
    # The patron swipes down to the button below the open keyboard and taps it: the keyboard
    # closes without moving the page under the finger, so the tap lands.
    screen.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    tap(screen.page.get_by_role("button", name=screen.said("Log in")))
    screen.heading("Block your card?")
    tap(screen.page.get_by_role("button", name=screen.said("Yes, block my card")))
    screen.heading("Your card is blocked")
    blocked, cards, _checks = portal_state(patron.id)
    assert blocked and [(card.number, card.status) for card in cards] == [(LOST_CARD, "lost")]
    tap(screen.page.get_by_role("link", name=screen.said("Not now")))
    stop(screen)
