"""Working the kiosk by touch alone, as a patron at its screen: taps on targets large enough for
a finger, text typed on the kiosk's on-screen keyboard in the kiosk's language, and a record of
any input that was not a touch (a key pressed, a mouse, text put in by a script, a wheel), so a
test can show it used none."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.support.browser import TIMEOUT_MS
from tests.support.kiosk_collect import said
from tests.support.servers import running_server

TOUCH_PX = 48  # the least a touch target may measure (WCAG 2.5.5 asks 44)
KEY_PX = 64  # the least an on-screen key measures
SCREENS: dict[str, ViewportSize] = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
# Reports every key event, every pointer that is not a finger, text that reached a field other
# than by the on-screen keyboard (whose events are the page's own, untrusted: a script's fill or
# insertText, a paste), and the mouse wheel to the test (the binding).
REPORT_OTHER_INPUT = """
for (const name of ["keydown", "keyup", "keypress"]) {
  addEventListener(name, (event) => window.otherInput(name + " " + event.key), true);
}
addEventListener("pointerdown", (event) => {
  if (event.pointerType !== "touch") { window.otherInput("pointer " + event.pointerType); }
}, true);
for (const name of ["beforeinput", "input"]) {
  addEventListener(name, (event) => {
    if (event.isTrusted && event instanceof InputEvent) {
      window.otherInput(name + " " + event.inputType);
    }
  }, true);
}
addEventListener("wheel", () => window.otherInput("wheel"), true);
"""
# Every key shown on the keyboard, with its size.
SHOWN_KEYS = """keys => keys.filter((key) => key.offsetParent !== null).map((key) => {
  const box = key.getBoundingClientRect();
  return [key.textContent.trim(), box.width, box.height];
})"""


def record_other_input(context: BrowserContext) -> list[str]:
    """Record, in the list returned, every input on the context's pages that is not a touch."""
    seen: list[str] = []

    def other_input(what: str) -> None:
        """Keep what the page reported."""
        seen.append(what)

    context.expose_function("otherInput", other_input)
    context.add_init_script(REPORT_OTHER_INPUT)
    return seen


@contextmanager
def touch_screen(browser: Browser, app: Flask, screen: str) -> Iterator[tuple[Page, list[str]]]:
    """The kiosk app served and shown on a touch screen of the kiosk's size (portrait,
    landscape) at its start screen, and the list of its input other than touch."""
    with running_server(app) as server:
        context = browser.new_context(viewport=SCREENS[screen], has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        other_input = record_other_input(context)
        page = context.new_page()
        page.goto(server)
        try:
            yield page, other_input
        finally:
            context.close()


def tap(target: Locator, least: int = TOUCH_PX) -> None:
    """Tap a target with a finger after checking it is at least `least` px each way."""
    box = target.bounding_box()
    assert box is not None and box["width"] >= least and box["height"] >= least, box
    target.tap()


@dataclass
class OnScreenKeyboard:
    """The kiosk's on-screen keyboard on a page, its keys named in `locale` (the kiosk's)."""

    page: Page
    app: Flask
    locale: str = "nl"

    def said(self, msgid: str, **values: object) -> str:
        """What the kiosk says for msgid in the keyboard's language."""
        return said(self.app, msgid, self.locale, **values)

    @property
    def panel(self) -> Locator:
        """The keyboard itself."""
        return self.page.locator("#keyboard")

    @property
    def echo(self) -> Locator:
        """Its status line for screen readers."""
        return self.panel.locator("[data-keyboard-echo]")

    @property
    def notice(self) -> Locator:
        """Its notice of a key that could not type."""
        return self.panel.locator("[data-keyboard-notice]")

    def key(self, name: str) -> Locator:
        """The key named by msgid ("Done", "Capitals", ...) in the layer shown."""
        return self.panel.get_by_role("button", name=self.said(name), exact=True)

    def character_key(self, character: str) -> Locator:
        """The key that types the character in the layer shown (a letter's in either case)."""
        return self.panel.locator(f"[data-key={json.dumps(character.lower())}]").filter(
            visible=True
        )

    def press(self, name: str) -> None:
        """Tap the named key."""
        tap(self.key(name), KEY_PX)

    def tap_field(self, field: Locator, name: str) -> None:
        """Tap a field; the keyboard opens, says it types into `name`, and leaves the field in
        view above it."""
        tap(field)
        self.open_for(field, name)

    def open_for(self, field: Locator, name: str) -> None:
        """The keyboard is open for the field: it names it, the field is above the keyboard,
        and every key shown is large enough."""
        expect(self.panel).to_be_visible()
        line = self.panel.locator(".keyboard-field")
        expect(line).to_have_text(self.said("Typing in: %(field)s", field=name))
        expect(field).to_be_focused()
        box, top = field.bounding_box(), self.panel.bounding_box()
        assert box is not None and top is not None and box["y"] + box["height"] <= top["y"], box
        self.keys_fit()

    def keys_fit(self) -> None:
        """Every key of the layer shown measures at least KEY_PX each way."""
        keys = self.panel.locator("button").evaluate_all(SHOWN_KEYS)
        assert keys and [k for k in keys if min(k[1], k[2]) < KEY_PX] == [], keys

    def type(self, text: str) -> None:
        """Type text by tapping keys: capitals with Capitals, symbols on their layer."""
        for character in text:
            if character == " ":
                self.press("Space")
                continue
            self._show_layer_with(character)
            if character.isalpha():
                self._set_capitals(character.isupper())
            tap(self.character_key(character), KEY_PX)

    def _show_layer_with(self, character: str) -> None:
        """Switch between letters and symbols until a key types the character."""
        if self.character_key(character).count() == 0:
            self.press("Symbols" if self.key("Symbols").count() else "Letter keys")
            self.keys_fit()

    def _set_capitals(self, on: bool) -> None:
        """Turn Capitals on or off (it may be on already: a field asking for capitals)."""
        if (self.key("Capitals").get_attribute("aria-pressed") == "true") != on:
            self.press("Capitals")
            self.keys_fit()
