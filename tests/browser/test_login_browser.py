"""Logging in to the online library in headless Chromium, by visible labels, in Dutch."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from shared.models.card import CardRole
from tests.support.accounts import PASSWORD, give_card, member
from tests.support.browser import TIMEOUT_MS, chromium, label


def log_in(page: Page, server: str, login: str) -> None:
    """Fill the login form as a patron would."""
    page.goto(f"{server}/inloggen")
    page.get_by_label(label("Inlognaam")).fill(login)
    page.get_by_label(label("Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def log_out(page: Page) -> None:
    """The log-out button in the header."""
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status")).to_contain_text("Je bent uitgelogd")


@pytest.mark.browser
def test_log_in_by_card_and_by_email_and_see_the_secondary_card_answer(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    patron = member(client)
    give_card(patron, "52700000012345")
    give_card(patron, "52700000099999", CardRole.SECONDARY)
    email = patron.login_account.email
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        log_in(page, portal_server, "52700000012345")
        page.get_by_role("link", name="Mijn account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
        expect(page.get_by_role("main")).to_contain_text("52700000012345")
        log_out(page)

        log_in(page, portal_server, email)
        expect(page.get_by_role("link", name="Mijn account")).to_be_visible()
        log_out(page)

        log_in(page, portal_server, "52700000099999")
        field = page.get_by_label(label("Inlognaam"))
        expect(field).to_have_accessible_description(
            "Je pasnummer, klantnummer, gebruikersnaam of e-mailadres. "
            "Fout: Dit is een volgpas. Log in met het nummer van je hoofdpas (••••••••••2345)."
        )
        expect(page.get_by_role("alert")).to_contain_text("volgpas")
        context.close()


@pytest.mark.browser
def test_enter_in_a_field_submits_the_form_and_not_the_language_switch(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    patron = member(client)
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(f"{portal_server}/inloggen")
        page.get_by_label(label("Inlognaam")).fill(patron.login_account.email)
        page.get_by_label(label("Wachtwoord")).fill(PASSWORD)
        page.get_by_label(label("Wachtwoord")).press("Enter")
        expect(page.get_by_role("link", name="Mijn account")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        context.close()
