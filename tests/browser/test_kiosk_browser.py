"""The kiosk in headless Chromium: collecting a card by touch-sized taps (the document's details
typed on a hardware keyboard, which works beside the on-screen one), then the idle reset
that leaves nothing of the patron in the page, the browser or the kiosk's session store; and
touches that keep the session on the server until the page's countdown ends it."""

import base64
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Cookie, Page, expect

from kiosk.demo import blank_tag, tag_number
from kiosk.devices import Devices
from shared.models.patron import Patron
from tests.support.accounts import member
from tests.support.browser import TIMEOUT_MS, chromium
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_collect import (
    patron_document,
    place_blank,
    qr_code,
    said,
    typed_document,
)
from tests.support.kiosk_flows import CARD, owing_card_holder, place
from tests.support.servers import running_server
from tests.support.touch import tap


def walk_to_the_new_card(page: Page, app: Flask, devices: Devices, patron: Patron) -> str:
    """Collect a card by taps: QR code, typed document, blank card; the new card number."""
    tap(page.get_by_role("link", name=said(app, "Collect my card")))
    expect(page.get_by_role("heading", level=1)).to_have_text(said(app, "Collect your card"))
    devices.scanner.type_line(qr_code(patron))  # type: ignore[attr-defined]
    expect(page).to_have_url(page.url.split("/ophalen")[0] + "/ophalen")
    document = patron_document()
    devices.document_reader.place(document)  # type: ignore[attr-defined]
    for name, text in typed_document(document).items():  # on a hardware keyboard or scanner
        tap(page.locator(f"#{name}"))
        page.keyboard.type(text)
    app.config.update(KIOSK_IDLE_SECONDS=2, KIOSK_COUNTDOWN_SECONDS=2)
    tag = blank_tag()
    place_blank(devices, tag)
    tap(page.get_by_role("button", name=said(app, "Check my document")))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(said(app, "Your card is ready"), timeout=TIMEOUT_MS)
    number = tag_number(tag)
    assert number is not None
    expect(page.get_by_role("main")).to_contain_text(number)
    return number


def only_a_csrf_token(cookies: list[Cookie]) -> bool:
    """No kiosk session cookie; at most the form cookie holding the new page's CSRF token."""
    if any(cookie["name"] != "kiosk_form" for cookie in cookies):
        return False
    payloads = [cookie["value"].split(".")[0] for cookie in cookies]
    decoded = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in payloads]
    return all(set(payload) == {"csrf_token"} for payload in decoded)


@pytest.mark.browser
def test_collect_by_taps_then_idle_leaves_nothing(
    kiosk_app: Flask, kiosk_devices: Devices, client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=5.0, KIOSK_BLANK_CARD_TIMEOUT=10.0)
    with running_server(kiosk_app) as server, chromium() as browser:
        context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(server)
        number = walk_to_the_new_card(page, kiosk_app, kiosk_devices, patron)

        expect(page.locator("#idle-dialog")).to_be_visible(timeout=TIMEOUT_MS)
        expect(page).to_have_url(f"{server}/", timeout=TIMEOUT_MS)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            said(kiosk_app, "Welcome to the library")
        )
        html = page.content()
        assert number not in html and patron.surname not in html
        assert patron.customer_number not in html
        assert only_a_csrf_token(context.cookies())
        storage = "[sessionStorage.length, localStorage.length]"
        assert page.evaluate(storage) == [0, 0]
        assert kiosk_app.extensions["kiosk"].sessions.current() is None
        context.close()


@pytest.mark.browser
def test_touches_keep_the_session_until_the_countdown_shows(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    owing_card_holder(app, client)
    devices = simulated_devices()
    timing = {"KIOSK_IDLE_SECONDS": 2, "KIOSK_COUNTDOWN_SECONDS": 2, "KIOSK_KEEPALIVE_SECONDS": 1}
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    config = kiosk_config(portal_server, token, csrf=True, **timing)
    with (
        running_kiosk(config, devices) as kiosk_app,
        running_server(kiosk_app) as server,
        chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(server)
        place(devices, CARD)
        expect(page).to_have_url(f"{server}/pas", timeout=TIMEOUT_MS)
        for _ in range(9):  # 4.5 s of typing: longer than the server's idle time alone
            page.keyboard.press("Shift")
            page.wait_for_timeout(500)
        expect(page.locator("#idle-dialog")).to_be_visible(timeout=TIMEOUT_MS)
        assert page.url == f"{server}/pas"
        assert kiosk_app.extensions["kiosk"].sessions.current() is not None
        expect(page).to_have_url(f"{server}/", timeout=TIMEOUT_MS)
