"""The portal's Content-Security-Policy in headless Chromium: its pages break no rule of it, and
their scripts (files of our own) still run."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from tests.support.browser import TIMEOUT_MS, chromium, label

PAGES = ["/", "/inloggen", "/word-lid", "/wachtwoord-vergeten", "/bestaat-niet", "/oidc/logout"]


@pytest.mark.browser
def test_the_pages_break_no_rule_of_the_policy_and_their_scripts_run(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        for path in PAGES:
            page.goto(portal_server + path)
        page.goto(f"{portal_server}/inloggen")
        page.get_by_label(label("Wachtwoord")).fill("x")
        page.get_by_role("button", name="Inloggen", exact=True).click()
        expect(page.locator(".error-summary")).to_be_focused()  # forms.js ran
        assert violations == []
