"""The kiosk's on-screen keyboard in headless Chromium, one behaviour at a time: a double tap on
"Done" lands nowhere else, the status line says the key and never the field, a date's part is
corrected by touch and a key that cannot type says so, a date moves on by itself and back, a
hardware keyboard or scanner types a date in one go, Capitals for one letter, a tap elsewhere
closes the keyboard, and its keys are reached by Tab and arrows and left with Escape. In Dutch
(the kiosk's language, checked literally: a missing translation must not pass), and once in
English with axe on the symbols layer and on a wrong date."""

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Locator, Page, Request, expect

from shared.models.patron import Patron
from tests.support.accounts import member
from tests.support.browser import axe_violations, chromium
from tests.support.keyboard import has_focus, tab_to
from tests.support.kiosk_collect import patron_document
from tests.support.touch import SCREENS, OnScreenKeyboard, tap, touch_screen

PASSWORD = "Lees#Uil 7x"  # a symbol: the symbols layer
FULL = "Dit veld is vol. Tik erop om het opnieuw te typen."
DIGITS_ONLY = "Hier passen alleen cijfers."
SEVERAL_WRONG = (
    "The day is a number from 1 to 31. The month is a number from 1 to 12. "
    "The year is a number from 1900 to 2099."
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module (each test has its own context)."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def patron(client: FlaskClient, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A patron who signed up online and still has to collect a card."""
    return member(client, password=PASSWORD, password_confirm=PASSWORD)


@pytest.fixture
def kiosk(browser: Browser, kiosk_app: Flask) -> Iterator[OnScreenKeyboard]:
    """The kiosk's start screen on a portrait touch screen, and its keyboard, in Dutch."""
    with touch_screen(browser, kiosk_app, "portrait") as (page, _other_input):
        yield OnScreenKeyboard(page, kiosk_app)


def heading(keyboard: OnScreenKeyboard, msgid: str) -> None:
    """The page's heading says msgid."""
    expect(keyboard.page.get_by_role("heading", level=1)).to_have_text(keyboard.said(msgid))


def field(keyboard: OnScreenKeyboard, label: str) -> Locator:
    """The field labelled by msgid."""
    return keyboard.page.get_by_label(keyboard.said(label), exact=True)


def to_identify(keyboard: OnScreenKeyboard) -> None:
    """From the start screen to the form that asks for login name and password."""
    tap(keyboard.page.get_by_role("link", name=keyboard.said("Collect my card")))
    heading(keyboard, "Collect your card")


def to_id_page(keyboard: OnScreenKeyboard, patron: Patron) -> None:
    """Log in (the fields filled by the test, not typed) and reach the ID page."""
    to_identify(keyboard)
    field(keyboard, "Login name").fill(patron.customer_number)
    field(keyboard, "Password").fill(PASSWORD)
    tap(keyboard.page.get_by_role("button", name=keyboard.said("Log in")))
    heading(keyboard, "Check your ID document")


def date_part(keyboard: OnScreenKeyboard, legend: str, part: str) -> Locator:
    """A part (msgid Day, Month, Year) of the date named by its legend's msgid."""
    group = keyboard.page.get_by_role("group", name=keyboard.said(legend))
    return group.get_by_label(keyboard.said(part), exact=True)


def selected(part: Locator) -> list[int]:
    """The part's selection: its start and end."""
    return list(part.evaluate("input => [input.selectionStart, input.selectionEnd]"))


def focused_key(page: Page) -> str:
    """The text of the focused element when it is a key, else nothing."""
    return str(
        page.evaluate(
            "document.activeElement.closest('#keyboard') ? "
            "document.activeElement.textContent.trim() : ''"
        )
    )


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_a_double_tap_on_done_lands_nowhere_else(
    browser: Browser, kiosk_app: Flask, patron: Patron, screen: str
) -> None:
    with touch_screen(browser, kiosk_app, screen) as (page, _other_input):
        keyboard = OnScreenKeyboard(page, kiosk_app)
        to_id_page(keyboard, patron)
        tap(date_part(keyboard, "Valid until", "Year"))  # the form's last field
        box = keyboard.key("Done").bounding_box()
        assert box is not None
        navigations: list[str] = []

        def navigation(request: Request) -> None:
            """Keep a request that loads a page."""
            if request.is_navigation_request():
                navigations.append(request.url)

        page.on("request", navigation)
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.touchscreen.tap(*middle)
        page.wait_for_timeout(150)
        page.touchscreen.tap(*middle)
        page.wait_for_timeout(600)
        assert navigations == []
        expect(keyboard.panel).to_be_hidden()
        expect(page.get_by_role("button", name=keyboard.said("Check my document"))).to_be_focused()


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_a_double_tap_on_a_field_types_nothing(
    browser: Browser, kiosk_app: Flask, patron: Patron, screen: str
) -> None:
    with touch_screen(browser, kiosk_app, screen) as (page, _other_input):
        keyboard = OnScreenKeyboard(page, kiosk_app)
        to_id_page(keyboard, patron)
        fields = page.locator("main input[data-keyboard]")
        for index in range(fields.count()):
            target = fields.nth(index)
            target.scroll_into_view_if_needed()
            box = target.bounding_box()
            assert box is not None
            middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.touchscreen.tap(*middle)
            page.wait_for_timeout(150)
            page.touchscreen.tap(*middle)
            page.wait_for_timeout(600)
            assert fields.evaluate_all("inputs => inputs.map(i => i.value).join('')") == ""
            expect(keyboard.panel).to_be_visible()
            tap(page.get_by_role("heading", level=1))  # closed again for the next field
            expect(keyboard.panel).to_be_hidden()


@pytest.mark.browser
def test_the_status_line_says_each_key_never_the_field(
    kiosk: OnScreenKeyboard, patron: Patron
) -> None:
    to_identify(kiosk)
    login, password = field(kiosk, "Login name"), field(kiosk, "Password")
    kiosk.tap_field(login, "Inlognaam")
    expect(kiosk.echo).to_have_text("")
    kiosk.type("M")  # Capitals for one letter
    expect(kiosk.key("Capitals")).to_have_attribute("aria-pressed", "false")
    expect(kiosk.echo).to_have_text("M")
    kiosk.type("b@")
    expect(login).to_have_value("Mb@")
    expect(kiosk.echo).to_have_text("apenstaartje")
    kiosk.press("Backspace")
    expect(kiosk.echo).to_have_text("Wis: apenstaartje")
    kiosk.press("Done")
    kiosk.open_for(password, "Wachtwoord")
    expect(kiosk.echo).to_have_text("")
    kiosk.type("x#")
    expect(kiosk.echo).to_have_text("Getypte tekens: 2")
    kiosk.press("Done")  # the last field: the keyboard closes
    expect(kiosk.panel).to_be_hidden()
    expect(kiosk.echo).to_have_text("")
    kiosk.tap_field(login, "Inlognaam")
    tap(kiosk.page.get_by_role("heading", level=1))  # a tap elsewhere closes it
    expect(kiosk.panel).to_be_hidden()
    expect(login).to_have_value("Mb")


@pytest.mark.browser
def test_a_wrong_date_part_is_corrected_by_touch(kiosk: OnScreenKeyboard, patron: Patron) -> None:
    to_id_page(kiosk, patron)
    day, month, year = (date_part(kiosk, "Date of birth", p) for p in ("Day", "Month", "Year"))
    kiosk.tap_field(day, "Geboortedatum – Dag")
    kiosk.type("31121990")
    expect(year).to_be_focused()
    kiosk.type("5")  # the year is full: the key says so and types nothing
    expect(kiosk.notice).to_have_text(FULL)
    expect(year).to_have_value("1990")
    tap(day)  # in its middle: all of it is selected, the next digit replaces it
    assert selected(day) == [0, 2]
    expect(kiosk.notice).to_have_text("")
    kiosk.type("04")
    expect(day).to_have_value("04")
    expect(month).to_be_focused()
    assert selected(month) == [0, 2]  # moved on to: replaced as well
    kiosk.type("11")
    expect(month).to_have_value("11")
    expect(year).to_be_focused()


@pytest.mark.browser
def test_a_date_moves_on_when_no_digit_fits_and_back_with_backspace(
    kiosk: OnScreenKeyboard, patron: Patron
) -> None:
    to_id_page(kiosk, patron)
    day, month, year = (date_part(kiosk, "Valid until", p) for p in ("Day", "Month", "Year"))
    kiosk.tap_field(day, "Geldig tot – Dag")
    kiosk.type("4")  # no day 4x: on to the month
    expect(day).to_have_value("4")
    expect(month).to_be_focused()
    kiosk.type("2")  # no month 2x: on to the year
    expect(month).to_have_value("2")
    expect(year).to_be_focused()
    kiosk.press("Backspace")  # in the empty year: back to the month, its digit kept
    expect(month).to_be_focused()
    expect(month).to_have_value("2")
    kiosk.press("Backspace")
    expect(month).to_have_value("")
    kiosk.press("Backspace")
    expect(day).to_be_focused()
    expect(day).to_have_value("4")


@pytest.mark.browser
def test_a_hardware_keyboard_or_scanner_types_a_date_in_one_go(
    kiosk: OnScreenKeyboard, patron: Patron
) -> None:
    to_id_page(kiosk, patron)
    page = kiosk.page
    birth = [date_part(kiosk, "Date of birth", p) for p in ("Day", "Month", "Year")]
    expiry = [date_part(kiosk, "Valid until", p) for p in ("Day", "Month", "Year")]
    tap(birth[0])
    page.keyboard.type("31-12-1990")
    tap(expiry[0])
    page.keyboard.type("1.2.2031")
    for part, value in zip(birth + expiry, ["31", "12", "1990", "1", "2", "2031"], strict=True):
        expect(part).to_have_value(value)
    tap(birth[0])
    page.keyboard.insert_text("05061985")  # a scanner's or a paste's text at once
    for part, value in zip(birth, ["05", "06", "1985"], strict=True):
        expect(part).to_have_value(value)
    expect(birth[2]).to_be_focused()
    page.keyboard.type("x")
    expect(kiosk.notice).to_have_text(DIGITS_ONLY)
    expect(birth[2]).to_have_value("1985")


@pytest.mark.browser
def test_the_keys_by_tab_and_enter_and_escape(kiosk: OnScreenKeyboard, patron: Patron) -> None:
    to_identify(kiosk)
    page, line = kiosk.page, kiosk.panel.locator(".keyboard-field")
    login, password = field(kiosk, "Login name"), field(kiosk, "Password")
    tab_to(page, login)
    expect(line).to_have_text("Je typt in: Inlognaam")
    expect(kiosk.panel).to_be_visible()
    page.keyboard.press("Tab")  # from the field to its keys: one stop, the first key
    assert focused_key(page) == "1"
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(login).to_have_value("1q")
    assert focused_key(page) == "q"  # the focus stays on the key pressed
    page.keyboard.press("End")
    page.keyboard.press("Enter")  # Done: on to the password, the focus on the keys
    expect(line).to_have_text("Je typt in: Wachtwoord")
    expect(kiosk.echo).to_have_text("Je typt in: Wachtwoord")
    assert focused_key(page) == "Klaar"
    page.keyboard.press("Escape")  # closes, the focus back on the field typed into
    expect(kiosk.panel).to_be_hidden()
    expect(password).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(line).to_have_text("Je typt in: Inlognaam")
    expect(kiosk.panel).to_be_visible()
    page.keyboard.press("Tab")
    assert focused_key(page) == "Klaar"  # the keys' one stop is the key last used
    page.keyboard.press("Tab")  # past the keys, on to the next field
    expect(password).to_be_focused()
    expect(line).to_have_text("Je typt in: Wachtwoord")
    page.keyboard.press("Escape")
    expect(kiosk.panel).to_be_hidden()
    expect(password).to_be_focused()


@pytest.mark.browser
def test_a_key_pressed_from_the_keyboard_keeps_the_focus_as_a_date_moves_on(
    kiosk: OnScreenKeyboard, patron: Patron
) -> None:
    to_id_page(kiosk, patron)
    page, line = kiosk.page, kiosk.panel.locator(".keyboard-field")
    day, month = (date_part(kiosk, "Date of birth", part) for part in ("Day", "Month"))
    tab_to(page, day)
    expect(kiosk.panel).to_be_visible()
    page.keyboard.press("Tab")
    assert focused_key(page) == "1"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(day).to_have_value("11")
    expect(line).to_have_text("Je typt in: Geboortedatum – Maand")
    expect(kiosk.echo).to_have_text("1. Je typt in: Geboortedatum – Maand")
    assert focused_key(page) == "1"
    page.keyboard.press("Enter")
    expect(month).to_have_value("1")
    assert has_focus(page.locator("#keyboard [data-layer=digits] [data-key='1']"))


@pytest.mark.browser
def test_the_keyboard_in_english_with_axe(
    browser: Browser, kiosk_app: Flask, patron: Patron
) -> None:
    with touch_screen(browser, kiosk_app, "portrait") as (page, _other_input):
        keyboard = OnScreenKeyboard(page, kiosk_app, "en")
        tap(page.get_by_role("button", name="English"))
        to_identify(keyboard)
        keyboard.tap_field(field(keyboard, "Login name"), "Login name")
        expect(keyboard.panel.locator(".keyboard-field")).to_have_text("Typing in: Login name")
        expect(keyboard.panel.get_by_role("button", name="at sign", exact=True)).to_be_visible()
        keyboard.type(patron.customer_number)
        keyboard.press("Done")
        keyboard.type(PASSWORD)
        expect(keyboard.echo).to_have_text(f"Characters typed: {len(PASSWORD)}")
        keyboard.press("Symbols")
        keyboard.keys_fit()
        assert axe_violations(page) == []
        keyboard.press("Done")
        tap(page.get_by_role("button", name="Log in"))
        heading(keyboard, "Check your ID document")
        number = field(keyboard, "Document number")
        keyboard.tap_field(number, "Document number")
        keyboard.type(patron_document().document_number)
        keyboard.press("Done")
        keyboard.type("32131850")  # day, month and year all wrong
        keyboard.press("Done")
        keyboard.type("01012031")
        keyboard.press("Done")
        tap(page.get_by_role("button", name="Check my document"))
        expect(page.locator("#birth_date-error")).to_have_text(SEVERAL_WRONG)
        for part in ("Day", "Month", "Year"):
            expect(date_part(keyboard, "Date of birth", part)).to_have_attribute(
                "aria-invalid", "true"
            )
        assert axe_violations(page) == []


@pytest.mark.browser
def test_the_record_of_other_input_sees_text_put_in_by_a_script_not_the_keys(
    browser: Browser, kiosk_app: Flask
) -> None:
    with touch_screen(browser, kiosk_app, "portrait") as (page, other_input):
        keyboard = OnScreenKeyboard(page, kiosk_app)
        to_identify(keyboard)
        login = field(keyboard, "Login name")
        keyboard.tap_field(login, "Inlognaam")
        keyboard.type("Ab1")
        keyboard.press("Backspace")
        assert other_input == []
        login.fill("52700000012345")
        page.keyboard.insert_text("6")
        page.mouse.wheel(0, 200)
        expect(login).to_have_value("527000000123456")
        for _ in range(40):  # the page reports through a binding: its calls come in later
            if "wheel" in other_input:
                break
            page.wait_for_timeout(50)
        assert other_input == [
            "beforeinput insertText",
            "input insertText",
            "beforeinput insertText",
            "input insertText",
            "wheel",
        ]
