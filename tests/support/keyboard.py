"""Working a page in the browser with the keyboard only, as a desk member without a mouse does:
Tab to a field or button (Shift+Tab back), type, press a key."""

from playwright.sync_api import Locator, Page

MAX_TABS = 60  # more than any page of the portal has stops before its last one


def has_focus(target: Locator) -> bool:
    """Whether the element has the keyboard's focus."""
    return bool(target.evaluate("element => element === document.activeElement"))


def focus_shown(target: Locator) -> bool:
    """Whether the element with the focus shows it (an outline drawn around it)."""
    style = target.evaluate("element => getComputedStyle(element).outlineStyle")
    return style not in ("none", "")


def tab_to(page: Page, target: Locator, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab backwards) until the element has the focus, and see that it shows
    it (one Tab never reaches fails)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if has_focus(target):
            assert focus_shown(target), f"{target} hides its focus"
            return
    raise AssertionError(f"Tab never reaches {target}")


def type_into(page: Page, field: Locator, text: str) -> None:
    """Tab to the field and type."""
    tab_to(page, field)
    page.keyboard.type(text)


def press(page: Page, name: str) -> None:
    """Tab to the button and press Enter."""
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")
