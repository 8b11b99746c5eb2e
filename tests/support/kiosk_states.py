"""A patron's hands on a real kiosk in Chromium: tap, type, lay cards and documents, and check
each state the screen reaches in both orientations and both languages (axe finds nothing, every
control is large enough for a finger)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.wrappers import Response

from kiosk.devices import Devices
from kiosk.hardware.base import CardRemoved, PrinterStatus
from kiosk.hardware.simulated import SimulatedDocument, SimulatedTag
from portal.extensions import db
from shared.clock import ManualClock
from shared.models.payment import Payment
from tests.support.browser import TIMEOUT_MS, axe_violations, small_targets
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices, until
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_collect import said, td3_mrz
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.servers import running_server

SCREENS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
SWITCH_TO = {"nl": "Nederlands", "en": "English"}  # the header's language button, by language
OTHER = {"nl": "en", "en": "nl"}
DOCUMENT_SECONDS = 30.0  # the chip read waits this long for a document: the reading page stays
BLANK_CARD_SECONDS = 45.0  # on the kiosk's clock, which moves only when the walk moves it
TAP_GAP_SECONDS = 1.0
LARGER_TEXT = re.compile(r"(^|\s)text-larger(\s|$)")  # the class on <html> of larger text
Action = Callable[[], None]


class PortalGateway:
    """The portal behind a switch, as the kiosk reaches it: every call passes, except those
    `away` matches (by path), which get a 503 as when the portal is down, and those `garbled`
    matches, which get an answer without what the kiosk asked for (a broken portal)."""

    def __init__(self, portal: Flask) -> None:
        self.portal = portal
        self.away: Callable[[str], bool] | None = None
        self.garbled: Callable[[str], bool] | None = None
        self.refused = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Pass the call on, or answer 503 when the portal is away for it, or an empty JSON
        object when it is garbled."""
        if self.garbled is not None and self.garbled(environ["PATH_INFO"]):
            empty = Response("{}", 200, mimetype="application/json")
            return empty(environ, start_response)
        if self.away is None or not self.away(environ["PATH_INFO"]):
            return self.portal(environ, start_response)
        self.refused += 1
        down = Response("Service Unavailable", 503, mimetype="text/plain")
        return down(environ, start_response)


class SlippingTag(SimulatedTag):
    """A card that leaves the reader whenever it is read: a tap too short to read."""

    def read_blocks(self, first: int, count: int) -> bytes:
        """Never the blocks: the card is gone."""
        raise CardRemoved("the card left the reader while it was read")


@dataclass
class KioskWalk:
    """One walk through the kiosk: the screen as the patron sees it, the devices and the world
    around the kiosk; every state checked, and what was wrong on it."""

    page: Page
    url: str
    kiosk: Flask
    devices: Devices
    clock: ManualClock
    gateway: PortalGateway
    sandbox: MollieSandbox
    people: Callable[[], FlaskClient]  # a new browser on the portal (signups, the desk)
    orientation: str = "portrait"
    language: str = field(init=False)  # what the screen is in now
    larger: bool = False  # the patron switched larger text on: every page checked shows it
    states: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.language = self.kiosk.config["KIOSK_DEFAULT_LANGUAGE"]

    @property
    def portal(self) -> Flask:
        """The portal app the kiosk talks to."""
        return self.gateway.portal

    def say(self, msgid: str) -> str:
        """What the kiosk says for `msgid` in the screen's language now."""
        return said(self.kiosk, msgid, self.language)

    # Checking --------------------------------------------------------------------------------

    def state(
        self,
        name: str,
        path: str,
        says: str,
        within: str = "main",
        leave: Action | None = None,
        again: Action | None = None,
    ) -> None:
        """Wait until the screen is at `path` saying `says` (in `within`), check it in both
        orientations, switch the language in the header and check it again in both.

        `leave` closes what covers the switch; `again` reaches the state anew after it (a page
        shown for a form sent, which the switch loads without)."""
        assert name not in self.states, f"{name!r} checked twice"
        self._arrived(path, says, within)
        self._check(name)
        if leave:
            leave()
        self.switch_language()
        if again:
            again()
        self._arrived(path, says, within)
        self._check(name)
        self.states.append(name)

    def _arrived(self, path: str, says: str, within: str) -> None:
        """Wait until the screen is at `path`, in its language, saying `says`."""
        expect(self.page).to_have_url(self.at(path), timeout=TIMEOUT_MS)
        self._in_language()
        expect(self.page.locator(within)).to_contain_text(self.say(says), timeout=TIMEOUT_MS)
        if self.larger:
            expect(self.page.locator("html")).to_have_class(LARGER_TEXT, timeout=TIMEOUT_MS)

    def _check(self, name: str) -> None:
        """Run axe and measure every control, in this orientation and then in the other."""
        for _side in SCREENS:
            found = axe_violations(self.page) + small_targets(self.page)
            combination = f"{self.orientation}-{self.language}"
            self.problems.extend(f"{combination} {name}: {problem}" for problem in found)
            self._turn()

    def _turn(self) -> None:
        """Turn the screen to the other orientation."""
        self.orientation = next(side for side in SCREENS if side != self.orientation)
        self.page.set_viewport_size(SCREENS[self.orientation])  # type: ignore[arg-type]

    def _in_language(self) -> None:
        """Wait until the page says it is in the screen's language."""
        html = self.page.locator("html")
        expect(html).to_have_attribute("lang", self.language, timeout=TIMEOUT_MS)

    def at(self, path: str) -> re.Pattern[str]:
        """The kiosk's address `path`, with or without more of a query."""
        return re.compile(re.escape(self.url + path) + r"([?&#].*)?$")

    # The screen ------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the start screen."""
        self.page.goto(self.url + "/")
        self._in_language()

    def back_at_start(self, language_kept: bool = False) -> None:
        """Wait for the start screen of a session that just ended: in the kiosk's language, or
        `language_kept` in the screen's (after an error page: the patron may still be there)."""
        expect(self.page).to_have_url(self.url + "/", timeout=TIMEOUT_MS)
        if not language_kept:
            self.language = self.kiosk.config["KIOSK_DEFAULT_LANGUAGE"]
        self._in_language()

    def switch_language(self) -> None:
        """Tap the header's switch to the other language."""
        self.language = OTHER[self.language]
        self.page.get_by_role("button", name=SWITCH_TO[self.language]).tap()
        self._in_language()

    def open(self, path: str) -> None:
        """Go to an address on the kiosk (as a mistyped or stale address would)."""
        self.page.goto(self.url + path)

    def tap(self, msgid: str, whole: bool = True) -> None:
        """Tap the button or link named `msgid` (not `whole`: named by its words up to its first
        placeholder, as "Pay %(amount)s")."""
        words = self.say(msgid)
        name = words if whole else re.compile("^" + re.escape(words.split("%(")[0]))
        button = self.page.get_by_role("button", name=name, exact=True)
        button.or_(self.page.get_by_role("link", name=name, exact=True)).tap()

    def touch(self, selector: str) -> None:
        """Tap the (first) element `selector` finds, as a field to type in."""
        self.page.locator(selector).first.tap()

    def larger_text(self) -> None:
        """Tap the header's switch to larger text and wait for the page to show it."""
        self.tap("Larger text")
        self.larger = True
        expect(self.page.locator("html")).to_have_class(LARGER_TEXT, timeout=TIMEOUT_MS)

    def type(self, fields: dict[str, str]) -> None:
        """Type into fields by their names (name: text)."""
        for name, text in fields.items():
            self.page.locator(f"input[name={name}]").fill(text)

    def reload(self) -> None:
        """Load the page again (it then follows the kiosk's settings as they are now)."""
        self.page.reload()

    @contextmanager
    def leaving(self) -> Iterator[None]:
        """Wait after the block until the page on screen is gone (the next may have the same
        address: the ID form again after a failed try)."""
        # The browser's own event: the kiosk's CSP refuses a string evaluated in the page, as
        # wait_for_function does.
        main = self.page.main_frame
        with self.page.expect_event("framenavigated", lambda frame: frame == main):
            yield

    @contextmanager
    def settings(self, **values: object) -> Iterator[None]:
        """The kiosk with these settings while the block runs (pages loaded then show them)."""
        before = {name: self.kiosk.config[name] for name in values}
        self.kiosk.config.update(values)
        try:
            yield
        finally:
            self.kiosk.config.update(before)

    # Devices and the world around the kiosk -----------------------------------------------

    def lay_card(self, tag: SimulatedTag) -> None:
        """Lay a card on the reader's free spot as a tap: the card watcher sees the card before
        anything else happens."""
        watcher = self.kiosk.extensions["kiosk"].watcher
        self.lay_blank(None)
        assert until(lambda: not watcher.present)
        self.clock.advance(TAP_GAP_SECONDS)  # a tap at the moment a session ended is ignored
        self.lay_blank(tag)
        assert until(lambda: watcher.present)

    def lay_blank(self, tag: SimulatedTag | None) -> None:
        """Lay a card on the reader while a flow holds it (None: take it away)."""
        self.devices.card_reader.place(self.devices.card_reader_name, tag)  # type: ignore[attr-defined]

    def lay_document(self, document: SimulatedDocument | None) -> None:
        """Lay an ID document on the document reader (None: take it away)."""
        self.devices.document_reader.place(document)  # type: ignore[attr-defined]

    @contextmanager
    def paper_out(self) -> Iterator[None]:
        """The printer is out of paper while the block runs."""
        printer = self.devices.printer
        printer.state = PrinterStatus.PAPER_OUT  # type: ignore[attr-defined]
        try:
            yield
        finally:
            printer.state = PrinterStatus.OK  # type: ignore[attr-defined]

    def scan(self, *lines: str) -> None:
        """Scan lines with the scanner (a QR code, a document's MRZ)."""
        for line in lines:
            self.devices.scanner.type_line(line)  # type: ignore[attr-defined]

    def scan_document(self, document: SimulatedDocument) -> None:
        """Scan the MRZ of the document's photo page."""
        self.scan(*td3_mrz(document))

    def terminal(self, status: str) -> None:
        """Do at the PIN terminal what a bank card does to the newest payment."""
        db.session.expire_all()
        payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
        assert payment is not None and payment.provider_id is not None
        self.sandbox.set_status(payment.provider_id, status, webhook=False)


@contextmanager
def walking_kiosk(
    portal: Flask, people: Callable[[], FlaskClient], sandbox: MollieSandbox, browser: Browser
) -> Iterator[KioskWalk]:
    """A kiosk with simulated devices on its own clock, reaching the portal through a gateway,
    shown on a touch screen in a fresh context of the browser."""
    gateway, devices, clock = PortalGateway(portal), simulated_devices(), ManualClock()
    token = register_kiosk(portal, "Kiosk hal", "--terminal", TERMINAL)
    timing = {
        "KIOSK_DOCUMENT_TIMEOUT": DOCUMENT_SECONDS,
        "KIOSK_BLANK_CARD_TIMEOUT": BLANK_CARD_SECONDS,
    }
    with running_server(gateway) as portal_url:
        config = kiosk_config(portal_url, token, csrf=True, **timing)
        with running_kiosk(config, devices, clock) as kiosk, running_server(kiosk) as url:
            context = browser.new_context(viewport=SCREENS["portrait"], has_touch=True)  # type: ignore[arg-type]
            context.set_default_timeout(TIMEOUT_MS)
            try:
                page = context.new_page()
                yield KioskWalk(page, url, kiosk, devices, clock, gateway, sandbox, people)
            finally:
                context.close()
