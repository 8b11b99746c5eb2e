"""Every kiosk flow finished by touch alone on a 1080 x 1920 portrait and a 1920 x 1080 landscape
touch screen: pay what you owe, collect a card by QR code, by the welcome mail's code typed on
the on-screen keyboard, and with the temporary customer number and password and the ID
document's details typed on it, block a lost card, and become a guest with another library's
card number typed. Only taps on the screen (no key pressed,
no mouse, no text put in by a script, no wheel); every target at least 48 px and every key of
every layer shown at least 64 px; no axe violations with the keyboard open; the keyboard speaks
Dutch (literally: a missing translation must not pass)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk.demo import blank_tag, tag_number
from kiosk.devices import Devices
from kiosk.hardware.simulated import SimulatedDocument, SimulatedTag
from portal.extensions import db
from shared.catalogue.isil import load_directory
from shared.guests.directory import load_home_libraries
from shared.models.isil import IsilLibrary, IsilPrefix
from shared.models.payment import Payment
from tests.functional.portal.test_guests import home_server, homes_file  # noqa: F401
from tests.support.accounts import give_card, member
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium
from tests.support.kiosk_api import welcome_mail_code
from tests.support.kiosk_collect import (
    SIGNUP_BIRTH,
    patron_document,
    place_blank,
    portal_state,
    qr_code,
    said,
    td3_mrz,
)
from tests.support.kiosk_flows import CARD, owing_card_holder, place
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.sip2_home_library import INSTITUTION, HomeLibraryServer, HomePatron
from tests.support.touch import SCREENS, OnScreenKeyboard, tap, touch_screen

LOST_CARD = "52700000012345"
GUEST_CARD = "28415000012345"  # Fryslân's prefix 8415, shared here with another library
# Capitals, a symbol and a space: the keyboard types what passwords need.
OWN_PASSWORD = "Lees#Uil 7x"
KEEPALIVE = "/nog-hier"


@dataclass
class Screen:
    """The kiosk's touch screen in a browser, its on-screen keyboard, and every input that
    reached it not by touch."""

    page: Page
    app: Flask
    devices: Devices
    other_input: list[str]

    @property
    def keyboard(self) -> OnScreenKeyboard:
        """The on-screen keyboard, in Dutch (the kiosk's language)."""
        return OnScreenKeyboard(self.page, self.app)

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
    with touch_screen(browser, kiosk_app, request.param) as (page, other_input):
        yield Screen(page, kiosk_app, kiosk_devices, other_input)


def type_login(screen: Screen, login: str, password: str) -> None:
    """Type login name and password on the keyboard ("Done" goes on to the password)."""
    page, keyboard = screen.page, screen.keyboard
    name = page.get_by_label(screen.said("Login name"), exact=True)
    keyboard.tap_field(name, screen.said("Login name"))
    expect(keyboard.panel.get_by_role("button", name="apenstaartje", exact=True)).to_be_visible()
    keyboard.type(login)
    expect(name).to_have_value(login)
    assert axe_violations(page) == []
    keyboard.press("Done")
    secret = page.get_by_label(screen.said("Password"), exact=True)
    keyboard.open_for(secret, screen.said("Password"))
    keyboard.type(password)
    expect(secret).to_have_value(password)


def type_date(screen: Screen, legend: str, day: str, month: str, year: str) -> None:
    """Type a date on the keypad from its day on: a full part goes on to the next by itself."""
    page, keyboard = screen.page, screen.keyboard
    group = page.get_by_role("group", name=screen.said(legend))
    parts = [group.get_by_label(screen.said(part), exact=True) for part in ("Day", "Month", "Year")]
    keyboard.open_for(parts[0], f"{screen.said(legend)} – {screen.said('Day')}")
    expect(keyboard.panel.locator("[data-layer=digits]")).to_be_visible()
    keyboard.type(day + month + year)
    for part, typed in zip(parts, (day, month, year), strict=True):
        expect(part).to_have_value(typed)
    expect(parts[2]).to_be_focused()
    keyboard.press("Done")


def type_document(screen: Screen, number: str, birth: str, expiry: str) -> None:
    """Type the document number (the keyboard starts in capitals) and the dates (DDMMYYYY) on
    the keypad; key taps keep the session alive; then tap "Check my document"."""
    page, keyboard = screen.page, screen.keyboard
    field = page.get_by_label(screen.said("Document number"), exact=True)
    # The field's tap tells the kiosk the patron is here (a page's first touch, at once) ...
    with page.expect_request(lambda request: request.url.endswith(KEEPALIVE)):
        keyboard.tap_field(field, screen.said("Document number"))
    expect(keyboard.panel.locator(".keyboard-field")).to_have_text("Je typt in: Documentnummer")
    # ... and with none left waiting, key taps alone tell it again.
    with page.expect_request(lambda request: request.url.endswith(KEEPALIVE)):
        keyboard.type(number)
    expect(field).to_have_value(number)
    keyboard.press("Done")
    assert axe_violations(page) == []
    type_date(screen, "Date of birth", birth[:2], birth[2:4], birth[4:])
    type_date(screen, "Valid until", expiry[:2], expiry[2:4], expiry[4:])
    button = page.get_by_role("button", name=screen.said("Check my document"))
    expect(keyboard.panel).to_be_hidden()
    expect(button).to_be_focused()
    tap(button)


def type_the_document(screen: Screen, document: SimulatedDocument) -> None:
    """Type the document's number and dates (its MRZ's YYMMDD as DDMMYYYY) on the keyboard."""
    birth, expiry = document.birth_date, document.expiry_date
    type_document(
        screen,
        document.document_number,
        f"{birth[4:]}{birth[2:4]}19{birth[:2]}",
        f"{expiry[4:]}{expiry[2:4]}20{expiry[:2]}",
    )


def scan_document(screen: Screen) -> SimulatedTag:
    """Lay the document on its reader and a blank card on the card reader, and scan the
    document's MRZ; the blank card."""
    document = patron_document()
    screen.devices.document_reader.place(document)  # type: ignore[attr-defined]
    place_blank(screen.devices, tag := blank_tag())
    screen.devices.scanner.type_line("|".join(td3_mrz(document)))  # type: ignore[attr-defined]
    return tag


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
    take_the_new_card(screen, scan_document(screen))


@pytest.mark.browser
def test_collect_a_card_with_the_mail_code_by_touch(
    screen: Screen, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    member(client)
    code = welcome_mail_code()
    tap(screen.page.get_by_role("link", name=screen.said("Collect my card")))
    field = screen.page.get_by_label(screen.said("Code"), exact=True)
    screen.keyboard.tap_field(field, screen.said("Code"))
    screen.keyboard.type(code)  # in capitals: the field asks for them
    expect(field).to_have_value(code)
    screen.keyboard.press("Done")
    tap(screen.page.get_by_role("button", name=screen.said("Go on")))
    screen.heading("Check your ID document")
    take_the_new_card(screen, scan_document(screen))


@pytest.mark.browser
def test_collect_a_card_with_password_and_typed_document_by_touch(
    screen: Screen, client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    patron = member(client, password=OWN_PASSWORD, password_confirm=OWN_PASSWORD)
    assert patron.temporary_number
    tap(screen.page.get_by_role("link", name=screen.said("Collect my card")))
    type_login(screen, patron.temporary_number, OWN_PASSWORD)
    screen.keyboard.press("Done")  # after the last field: to the button that sends
    button = screen.page.get_by_role("button", name=screen.said("Log in"))
    expect(screen.keyboard.panel).to_be_hidden()
    expect(button).to_be_focused()
    tap(button)
    screen.heading("Check your ID document")
    document = patron_document()
    screen.devices.document_reader.place(document)  # type: ignore[attr-defined]
    place_blank(screen.devices, tag := blank_tag())
    type_the_document(screen, document)
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
    # The button may lie below the open keyboard: the tap scrolls to it (as a patron's swipe
    # would), and the keyboard closes without moving the page under the finger, so it lands.
    tap(screen.page.get_by_role("button", name=screen.said("Log in")))
    screen.heading("Block your card?")
    tap(screen.page.get_by_role("button", name=screen.said("Yes, block my card")))
    screen.heading("Your card is blocked")
    blocked, cards, _checks = portal_state(patron.id)
    assert blocked and [(card.number, card.status) for card in cards] == [(LOST_CARD, "lost")]
    tap(screen.page.get_by_role("link", name=screen.said("Not now")))
    stop(screen)


@pytest.mark.browser
def test_become_a_guest_by_touch(
    screen: Screen,
    app: Flask,
    homes_file: Path,  # noqa: F811
    home_server: tuple[HomeLibraryServer, int],  # noqa: F811
) -> None:
    document = patron_document()
    home_server[0].patrons[GUEST_CARD] = HomePatron(
        "Dijk, Marieke van", SIGNUP_BIRTH, date(2027, 12, 31)
    )
    load_directory(db.session())
    db.session.add(IsilLibrary(isil="NL-999001", organisation="Bibliotheek Testerland"))
    db.session.add(IsilPrefix(prefix="8415", isil="NL-999001"))  # the number leaves a choice
    db.session.commit()
    app.config["HOME_LIBRARIES"] = load_home_libraries(homes_file)
    page, keyboard = screen.page, screen.keyboard
    tap(page.get_by_role("link", name=screen.said("Become a guest patron")))
    field = page.get_by_label(screen.said("Card number"), exact=True)
    keyboard.tap_field(field, screen.said("Card number"))
    keyboard.type(GUEST_CARD)
    expect(field).to_have_value(GUEST_CARD)
    keyboard.press("Done")
    expect(keyboard.panel).to_be_hidden()
    tap(page.get_by_role("button", name=screen.said("Next")))
    screen.heading("Which library gave you your card?")
    tap(page.get_by_role("button", name=f"Bibliotheekservice Fryslân ({INSTITUTION})"))
    screen.heading("Terms of use")
    tap(page.get_by_role("button", name=screen.said("I accept the terms")))
    screen.heading("Check your ID document")
    screen.devices.document_reader.place(document)  # type: ignore[attr-defined]
    type_the_document(screen, document)
    screen.heading("Welcome as a guest patron")
    tap(page.get_by_role("button", name=screen.said("Done")))
    screen.heading("Welcome to the library")
    assert screen.other_input == []
