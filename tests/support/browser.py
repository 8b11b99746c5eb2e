"""Debian's Chromium through Playwright, started the way this machine allows (no downloads)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium, closed whatever happens in the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def label(text: str) -> re.Pattern[str]:
    """A label that starts with `text` ("Wachtwoord" must not match "Herhaal wachtwoord")."""
    return re.compile(rf"^{re.escape(text)}", re.IGNORECASE)


def axe_violations(page: Page) -> list[str]:
    """What axe-core (WCAG 2.1 A and AA rules) finds wrong on the page shown, one line each."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]
