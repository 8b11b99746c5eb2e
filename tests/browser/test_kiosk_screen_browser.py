"""The kiosk's screen: a portrait touch screen of 1080 x 1920 and a landscape full-HD one.

Every page of every flow fits (no sideways scrolling, the heading in view, nothing axe finds);
on a portrait screen the page's actions sit in the lower half, within reach; the flows say which
step the patron is at; the pictures show where card and document go and move only when motion is
allowed; larger text still fits; the idle warning fills the screen; and the branch's orientation
and logo are followed."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk.demo import blank_tag
from kiosk.devices import Devices
from portal.extensions import db
from shared.models.patron import Patron
from shared.models.payment import Payment
from tests.support.accounts import member
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium
from tests.support.kiosk_collect import (
    PASSWORD,
    patron_document,
    place_blank,
    qr_code,
    said,
    td3_mrz,
)
from tests.support.kiosk_flows import CARD, owing_card_holder, place
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.servers import running_server

SCREENS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
WIDTH = "[document.documentElement.scrollWidth, document.body.scrollWidth]"
HEIGHT = "document.documentElement.scrollHeight"
ACTIONS = "main :is(.choices, .actions) :is(a, button)"
RUNNING = (
    "document.getAnimations().filter(a => a.playState === 'running').map(a => a.animationName)"
)
FONT_PX = "e => parseFloat(getComputedStyle(e).fontSize)"
TOUCH_PX = 64


@dataclass
class Screen:
    """A kiosk page in Chromium on one of the screens, and what each state of it must show."""

    page: Page
    app: Flask
    server: str
    screen: str

    def go(self, path: str) -> None:
        """Open a kiosk page."""
        self.page.goto(self.server + path)

    def arrive(self, path: str) -> None:
        """Wait until the kiosk has moved on to `path` by itself."""
        expect(self.page).to_have_url(self.server + path, timeout=TIMEOUT_MS)

    def said(self, msgid: str) -> str:
        """What the kiosk says for `msgid` (Dutch, its language)."""
        return said(self.app, msgid)

    def fits(self) -> None:
        """No sideways scrolling, and the page's heading in view."""
        assert max(self.page.evaluate(WIDTH)) <= SCREENS[self.screen]["width"], self.where()
        expect(self.page.get_by_role("heading", level=1)).to_be_in_viewport()

    def fits_the_screen(self) -> None:
        """Nothing to scroll either way."""
        self.fits()
        assert self.page.evaluate(HEIGHT) <= SCREENS[self.screen]["height"], self.where()

    def check(self, actions: str | None = ACTIONS, step: str | None = None) -> None:
        """This state fits the screen and passes axe; portrait: `actions` in the lower half of
        the screen; in a multi-step flow, `step` is the current step; nothing moves (reduced
        motion)."""
        self.fits_the_screen()
        assert axe_violations(self.page) == [], self.where()
        assert self.page.evaluate(RUNNING) == [], self.where()
        if step is not None:
            current = self.page.locator(".steps [aria-current=step]")
            expect(current).to_have_count(1)
            expect(current).to_contain_text(self.said(step))
        if actions is not None and self.screen == "portrait":
            self.in_reach(actions)

    def in_reach(self, actions: str) -> None:
        """Each of these controls starts in the lower half of the portrait screen."""
        half = SCREENS[self.screen]["height"] / 2
        tops = [box["y"] for box in self.boxes(actions)]
        assert tops and min(tops) >= half, (self.where(), tops)

    def boxes(self, selector: str) -> list[dict[str, float]]:
        """Where each element the selector finds is drawn."""
        found = [element.bounding_box() for element in self.page.locator(selector).all()]
        assert all(found), (self.where(), selector)
        return [box for box in found if box]

    def pictured(self) -> None:
        """A drawing shows where the card or document goes, hidden from screen readers."""
        picture = self.page.locator("main svg.picture")
        expect(picture).to_be_visible()
        expect(picture).to_have_attribute("aria-hidden", "true")
        box = picture.bounding_box()
        assert box and box["height"] >= 150, (self.where(), box)

    def wait_for_events(self) -> None:
        """Let the page's first events poll end, so a card laid now is seen by this page (a poll
        a navigation cut off may still be waiting at the server)."""
        with self.page.expect_response(lambda answer: "/events" in answer.url):
            pass

    def where(self) -> str:
        """The screen and page, for a failing assertion."""
        return f"{self.screen} {self.page.url}"


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium."""
    with chromium() as started:
        yield started


@pytest.fixture
def served(kiosk_app: Flask) -> Iterator[str]:
    """The kiosk on a port."""
    with running_server(kiosk_app) as url:
        yield url


def open_screen(
    browser: Browser, app: Flask, server: str, screen: str, motion: str = "reduce"
) -> Screen:
    """A new touch browser of this screen's size at the kiosk's start screen."""
    context = browser.new_context(
        viewport=SCREENS[screen],
        has_touch=True,
        reduced_motion=motion,  # type: ignore[arg-type]
    )
    context.set_default_timeout(TIMEOUT_MS)
    kiosk = Screen(context.new_page(), app, server, screen)
    kiosk.go("/")
    return kiosk


def tap_card(kiosk: Screen, devices: Devices) -> None:
    """Lay the owing patron's card on the reader; the patron's screen opens."""
    kiosk.wait_for_events()
    place(devices, CARD)
    kiosk.arrive("/pas")


def stop(kiosk: Screen, devices: Devices) -> None:
    """Stop and log out, and take the card away."""
    kiosk.page.get_by_role("button", name=kiosk.said("Stop and log out")).click()
    kiosk.arrive("/")
    place(devices, None)


def pay(kiosk: Screen, devices: Devices, sandbox: MollieSandbox) -> None:
    """Tap, pay at the terminal (the sandbox approves), each page checked."""
    tap_card(kiosk, devices)
    kiosk.check()
    kiosk.page.get_by_role("link", name=kiosk.said("Pay what I owe")).click()
    kiosk.check(step="Amount")
    kiosk.page.locator("main .button-primary").click()
    kiosk.arrive("/betalen/terminal")
    kiosk.check(step="PIN terminal")
    payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
    assert payment is not None and payment.provider_id is not None
    sandbox.set_status(payment.provider_id, "paid", webhook=False)
    kiosk.arrive("/betalen/klaar")
    kiosk.check(step="Receipt")
    stop(kiosk, devices)


def block_the_card(kiosk: Screen, devices: Devices) -> None:
    """Log in with card number and password (sent as the form would), block the card."""
    kiosk.go("/ophalen/inloggen?purpose=lost")
    kiosk.check(step="Log in")
    form = {"purpose": "lost", "login": CARD, "password": PASSWORD}
    assert kiosk.page.request.post(kiosk.server + "/ophalen/inloggen", form=form).ok
    kiosk.go("/kwijt")
    kiosk.check(step="Block")
    kiosk.page.get_by_role("button", name=kiosk.said("Yes, block my card")).click()
    kiosk.arrive("/kwijt/geblokkeerd")
    kiosk.check(step="New card")
    stop(kiosk, devices)


def to_id_page(kiosk: Screen, devices: Devices, newcomer: Patron, checked: bool = True) -> None:
    """From the collect login (`checked` as a state) to the ID page by the welcome QR code."""
    kiosk.go("/ophalen/inloggen")
    if checked:
        kiosk.check(step="Log in")
    devices.scanner.type_line(qr_code(newcomer))  # type: ignore[attr-defined]
    kiosk.arrive("/ophalen")


def collect_a_card(kiosk: Screen, devices: Devices, newcomer: Patron) -> None:
    """QR code, scanned document, blank card: each page checked, with its picture."""
    to_id_page(kiosk, devices, newcomer)
    kiosk.check(actions="main .button-primary", step="Check ID")
    kiosk.pictured()
    document = patron_document()
    for line in td3_mrz(document):
        devices.scanner.type_line(line)  # type: ignore[attr-defined]
    kiosk.arrive("/ophalen/lezen")  # the document is not on the reader yet
    kiosk.check(actions=None, step="Check ID")
    kiosk.pictured()
    devices.document_reader.place(document)  # type: ignore[attr-defined]
    kiosk.arrive("/ophalen/nieuwe-pas")
    kiosk.check(actions=None, step="New card")
    kiosk.pictured()
    place_blank(devices, blank_tag())
    kiosk.arrive("/ophalen/klaar")
    kiosk.check(step="Ready")


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_every_state_fits_with_its_actions_in_reach(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    kiosk_app: Flask,
    kiosk_devices: Devices,
    mollie_sandbox: MollieSandbox,
    browser: Browser,
    served: str,
    screen: str,
) -> None:
    owing_card_holder(app, client)
    newcomer = member(new_browser(), username="anna90", email="anna@example.nl")
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=30.0, KIOSK_BLANK_CARD_TIMEOUT=30.0)
    kiosk = open_screen(browser, kiosk_app, served, screen)
    kiosk.check()
    kiosk.pictured()
    for path in ("/gastlener", "/pas-geweigerd?reason=unknown_card", "/bestaat-niet"):
        kiosk.go(path)
        kiosk.check()
    kiosk.go("/")
    pay(kiosk, kiosk_devices, mollie_sandbox)
    block_the_card(kiosk, kiosk_devices)
    collect_a_card(kiosk, kiosk_devices, newcomer)


@pytest.mark.browser
def test_the_pictures_move_only_when_motion_is_allowed(
    client: FlaskClient,
    kiosk_app: Flask,
    kiosk_devices: Devices,
    browser: Browser,
    served: str,
) -> None:
    newcomer = member(client)
    kiosk = open_screen(browser, kiosk_app, served, "portrait", motion="no-preference")
    assert {"card-to-reader", "waves"} <= set(kiosk.page.evaluate(RUNNING))
    to_id_page(kiosk, kiosk_devices, newcomer, checked=False)
    assert {"document-to-reader", "scan"} <= set(kiosk.page.evaluate(RUNNING))
    kiosk.page.emulate_media(reduced_motion="reduce")
    assert kiosk.page.evaluate(RUNNING) == []
    kiosk.pictured()


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_larger_text_fits_and_ends_with_the_session(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    kiosk_app: Flask,
    kiosk_devices: Devices,
    browser: Browser,
    served: str,
    screen: str,
) -> None:
    owing_card_holder(app, client)
    newcomer = member(new_browser(), username="anna90", email="anna@example.nl")
    kiosk = open_screen(browser, kiosk_app, served, screen)
    root = kiosk.page.locator("html")

    def root_px() -> float:
        """The root's type size once the page and its style sheet have loaded."""
        kiosk.page.wait_for_load_state("load")
        return float(root.evaluate(FONT_PX))

    normal = root_px()
    switch = kiosk.page.get_by_role("button", name=kiosk.said("Larger text"))
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert root_px() >= normal * 1.25
    kiosk.check()
    for path in ("/ophalen/inloggen", "/ophalen/inloggen?purpose=lost", "/gastlener"):
        kiosk.go(path)
        kiosk.fits()
    to_id_page(kiosk, kiosk_devices, newcomer, checked=False)
    kiosk.fits()
    if screen == "portrait":  # landscape: 1080 px high, the larger form scrolls
        expect(kiosk.page.locator("main .button-primary")).to_be_in_viewport(ratio=1)
    stop(kiosk, kiosk_devices)
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    tap_card(kiosk, kiosk_devices)
    assert root_px() >= normal * 1.25
    kiosk.check()
    kiosk.go("/betalen")
    kiosk.check(step="Amount")
    stop(kiosk, kiosk_devices)
    assert root_px() == normal


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_the_idle_warning_fills_the_screen_in_large_type(
    app: Flask,
    client: FlaskClient,
    kiosk_app: Flask,
    kiosk_devices: Devices,
    browser: Browser,
    served: str,
    screen: str,
) -> None:
    owing_card_holder(app, client)
    kiosk_app.config.update(KIOSK_IDLE_SECONDS=1, KIOSK_COUNTDOWN_SECONDS=60)
    kiosk = open_screen(browser, kiosk_app, served, screen)
    heading_px = kiosk.page.locator("h1").evaluate(FONT_PX)
    tap_card(kiosk, kiosk_devices)
    dialog = kiosk.page.locator("#idle-dialog")
    expect(dialog).to_be_visible()
    size = SCREENS[screen]
    box = dialog.bounding_box()
    assert box and box["width"] >= 0.9 * size["width"] and box["height"] >= 0.9 * size["height"]
    assert dialog.locator("h2").evaluate(FONT_PX) >= heading_px
    body_px = kiosk.page.locator("body").evaluate(FONT_PX)
    assert dialog.locator("#idle-count").evaluate(FONT_PX) >= 3 * body_px
    buttons = [button.bounding_box() for button in dialog.get_by_role("button").all()]
    assert len(buttons) == 2
    assert all(b and b["height"] >= TOUCH_PX and b["width"] >= 0.5 * box["width"] for b in buttons)
    if screen == "portrait":
        kiosk.in_reach("#idle-dialog button")
    assert axe_violations(kiosk.page) == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("setting", "screen", "side_by_side"),
    [
        ("auto", "portrait", False),
        ("auto", "landscape", True),
        ("landscape", "portrait", True),
        ("portrait", "landscape", False),
    ],
)
def test_the_orientation_setting_chooses_the_layout(
    kiosk_app: Flask, browser: Browser, served: str, setting: str, screen: str, side_by_side: bool
) -> None:
    kiosk_app.config["KIOSK_ORIENTATION"] = setting
    kiosk = open_screen(browser, kiosk_app, served, screen)
    kiosk.check(actions=None)
    [prompt] = kiosk.boxes("main .tap-prompt")
    [choices] = kiosk.boxes("main .choices")
    if side_by_side:
        assert choices["x"] >= prompt["x"] + prompt["width"], (prompt, choices)
    else:
        assert choices["y"] >= prompt["y"] + prompt["height"], (prompt, choices)


@pytest.mark.browser
def test_the_logo_shows_in_the_header_with_the_name_as_its_text(
    kiosk_app: Flask, browser: Browser, served: str, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10">'
        '<rect width="40" height="10" fill="#004f8f"/></svg>'
    )
    kiosk_app.config["KIOSK_LOGO"] = str(logo)
    kiosk = open_screen(browser, kiosk_app, served, "landscape")
    image = kiosk.page.get_by_role("banner").get_by_role("img", name="Bibliotheek Drenthe")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    kiosk.check(actions=None)
