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
AXE_SCRIPT = Axe().axe_script


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
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)  # once per page: checking it again (turned) needs no new copy
    results = page.evaluate("options => axe.run(options)", AXE_OPTIONS)
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


TOUCH_PX = 48
# Each visible control smaller than a finger: what it is, and its size.
SMALL_TARGETS_JS = """(least) => {
  const controls = "a[href], button, input:not([type=hidden]), select, textarea";
  const named = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    ' "' + (el.innerText || el.value || el.name || "").trim().slice(0, 40) + '"';
  return [...document.querySelectorAll(controls)]
    .filter((el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }))
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, box]) => box.width < least || box.height < least)
    .map(([el, box]) => named(el) + " " + Math.round(box.width) + "x" + Math.round(box.height));
}"""


def small_targets(page: Page, least: int = TOUCH_PX) -> list[str]:
    """Every visible button, link, field and list on the page smaller than `least` px either
    way (too small to tap), one line each."""
    return [f"touch target: {found}" for found in page.evaluate(SMALL_TARGETS_JS, least)]
