"""A desk member's first login in headless Chromium with the keyboard only: password, the code
from the authenticator app (a wrong one first), and a password of their own."""

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support.accounts import create_staff
from tests.support.browser import TIMEOUT_MS, chromium, label
from tests.support.keyboard import press, type_into
from tests.support.staff import OWN_PASSWORD, code_at


@pytest.mark.browser
def test_a_desk_member_logs_in_for_the_first_time_with_the_keyboard(
    app: Flask, portal_server: str
) -> None:
    shown = create_staff(app)
    authenticator = pyotp.parse_uri(shown["otpauth_uri"])
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(f"{portal_server}/inloggen")
        type_into(page, page.get_by_label(label("Inlognaam")), "balie")
        type_into(page, page.get_by_label(label("Wachtwoord")), shown["password"])
        press(page, "Inloggen")

        expect(page.get_by_role("heading", level=1)).to_have_text("Code uit je app")
        code = page.get_by_label(label("Code"))
        type_into(page, code, "000000")
        press(page, "Bevestigen")
        expect(code).to_have_accessible_description(
            "De 6 cijfers die je authenticator-app nu toont. Fout: Deze code klopt niet of is "
            "al gebruikt. Wacht op een nieuwe code in je app."
        )
        type_into(page, code, code_at(authenticator))
        press(page, "Bevestigen")

        expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")
        expect(page.get_by_role("status")).to_contain_text("Kies eerst een eigen wachtwoord.")
        type_into(page, page.get_by_label(label("Huidig wachtwoord")), shown["password"])
        type_into(page, page.get_by_label(label("Nieuw wachtwoord")), OWN_PASSWORD)
        type_into(page, page.get_by_label(label("Herhaal nieuw wachtwoord")), OWN_PASSWORD)
        press(page, "Nieuw wachtwoord opslaan")

        expect(page.get_by_role("heading", level=1)).to_have_text("Klant zoeken")
        context.close()
