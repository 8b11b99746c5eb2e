"""Working the kiosk by touch alone, as a patron at its screen: taps on targets large enough for
a finger, text typed on the kiosk's on-screen keyboard, and a record of any input that was not a
touch (a key pressed, a mouse), so a test can show it used none."""

import json

from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.kiosk_collect import said

TOUCH_PX = 48  # the least a touch target may measure (WCAG 2.5.5 asks 44)
KEY_PX = 64  # the least an on-screen key measures
# Reports every key event and every pointer that is not a finger to the test (the binding).
REPORT_OTHER_INPUT = """
for (const name of ["keydown", "keyup", "keypress"]) {
  addEventListener(name, (event) => window.otherInput(name + " " + event.key), true);
}
addEventListener("pointerdown", (event) => {
  if (event.pointerType !== "touch") { window.otherInput("pointer " + event.pointerType); }
}, true);
"""


def record_other_input(context: BrowserContext) -> list[str]:
    """Record, in the list returned, every input on the context's pages that is not a touch."""
    seen: list[str] = []

    def other_input(what: str) -> None:
        """Keep what the page reported."""
        seen.append(what)

    context.expose_function("otherInput", other_input)
    context.add_init_script(REPORT_OTHER_INPUT)
    return seen


def tap(target: Locator, least: int = TOUCH_PX) -> None:
    """Tap a target with a finger after checking it is at least `least` px each way."""
    box = target.bounding_box()
    assert box is not None and box["width"] >= least and box["height"] >= least, box
    target.tap()


def keyboard(page: Page) -> Locator:
    """The on-screen keyboard."""
    return page.locator("#keyboard")


def press(page: Page, app: Flask, name: str) -> None:
    """Tap the named key (its msgid: "Done", "Capitals", ...) in the layer shown."""
    tap(keyboard(page).get_by_role("button", name=said(app, name), exact=True), KEY_PX)


def tap_field(page: Page, app: Flask, field: Locator, name: str) -> None:
    """Tap a field; the keyboard opens, says it types into `name`, and leaves the field in view
    above it."""
    tap(field)
    open_for(page, app, field, name)


def open_for(page: Page, app: Flask, field: Locator, name: str) -> None:
    """The keyboard is open for the field: it names it, and the field is above the keyboard."""
    shown = keyboard(page)
    expect(shown).to_be_visible()
    expect(shown.locator(".keyboard-field")).to_have_text(
        said(app, "Typing in: %(field)s", field=name)
    )
    expect(field).to_be_focused()
    box, top = field.bounding_box(), shown.bounding_box()
    assert box is not None and top is not None and box["y"] + box["height"] <= top["y"], box


def type_on_keyboard(page: Page, app: Flask, text: str) -> None:
    """Type text by tapping keys: capitals with Capitals, symbols on their layer."""
    for character in text:
        if character == " ":
            press(page, app, "Space")
            continue
        _show_layer_with(page, app, character)
        if character.isalpha():
            _set_capitals(page, app, character.isupper())
        key = keyboard(page).locator(f"[data-key={json.dumps(character.lower())}]")
        tap(key.filter(visible=True), KEY_PX)


def _show_layer_with(page: Page, app: Flask, character: str) -> None:
    """Switch between letters and symbols until a key types the character."""
    key = keyboard(page).locator(f"[data-key={json.dumps(character.lower())}]")
    if key.filter(visible=True).count() == 0:
        symbols = keyboard(page).get_by_role("button", name=said(app, "Symbols"), exact=True)
        press(page, app, "Symbols" if symbols.count() else "Letter keys")


def _set_capitals(page: Page, app: Flask, on: bool) -> None:
    """Turn Capitals on or off (it may be on already: a field asking for capitals)."""
    shift = keyboard(page).get_by_role("button", name=said(app, "Capitals"), exact=True)
    if (shift.get_attribute("aria-pressed") == "true") != on:
        press(page, app, "Capitals")
