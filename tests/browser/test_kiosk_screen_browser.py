"""The kiosk's screen: a portrait touch screen of 1080 x 1920, and a landscape full-HD one,
show the pages without sideways scrolling and with the heading in view."""

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support.browser import TIMEOUT_MS, chromium
from tests.support.servers import running_server

SCREENS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
PAGES = [
    "/",
    "/ophalen/inloggen",
    "/ophalen/inloggen?purpose=lost",
    "/gastlener",
    "/pas-geweigerd?reason=unknown_card",
    "/bestaat-niet",
]
WIDTH = "[document.documentElement.scrollWidth, document.body.scrollWidth]"


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_pages_fit_the_kiosk_screen(kiosk_app: Flask, screen: str) -> None:
    viewport = SCREENS[screen]
    with running_server(kiosk_app) as server, chromium() as browser:
        context = browser.new_context(viewport=viewport, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        for path in PAGES:
            page.goto(server + path)
            assert max(page.evaluate(WIDTH)) <= viewport["width"], f"{screen} {path}"
            expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
        context.close()
