"""The online signup (*Word lid*) in headless Chromium, walked as a Dutch patron would.

Everything is found by what a patron sees or hears: visible labels, link and button names.
"""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from shared.models.patron import Patron
from tests.support.browser import TIMEOUT_MS, chromium, label

PASSWORD = "vlinder-boekenkast-regen-42"
PRICE = r"€\s?58,00"  # format_currency may put a non-breaking space after the sign


def fill_details(page: Page, *, surname: str) -> None:
    """Step 3, the personal details; `surname` may be left empty on purpose."""
    page.get_by_label(label("Voorletters")).fill("M.J.")
    page.get_by_label(label("Tussenvoegsel")).fill("van")
    page.get_by_label(label("Achternaam")).fill(surname)
    page.get_by_label(label("Roepnaam")).fill("Marieke")
    page.get_by_label(label("Geboortedatum")).fill("1985-04-15")
    page.get_by_role("radio", name="Vrouw", exact=True).check()
    page.get_by_label(label("Postcode")).fill("7961 AM")
    page.get_by_label(label("Huisnummer")).fill("12")
    page.get_by_label(label("Straat")).fill("Dijkhuizen")
    page.get_by_label(label("Woonplaats")).fill("Ruinerwold")
    expect(page.get_by_label("Land", exact=True)).to_have_value("NL")  # Nederland by default
    branch = page.get_by_label(label("Vestiging"))
    ruinerwold = branch.get_by_role("option", name=re.compile(r"^Bibliotheek Ruinerwold\b"))
    branch.select_option(label=ruinerwold.inner_text().strip())


@pytest.mark.browser
def test_patron_signs_up_and_pays_in_the_browser(
    app: Flask, portal_server: str, tmp_path: Path
) -> None:
    review_shot = tmp_path / "controle.png"
    result_shot = tmp_path / "betaling-ontvangen.png"
    shots = f"screenshots: {review_shot} {result_shot}"
    next_button = {"role": "button", "name": "Volgende", "exact": True}

    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        # Home page, keyboard first: the first Tab lands on the skip link.
        page.goto(portal_server)
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
        page.get_by_role("link", name="Word lid", exact=True).click()

        # 1. Subscription: "Basis", not "Basis (maand-incasso)". How to pay is asked only for
        # a subscription that can be paid in more than one way.
        how = page.get_by_role("group", name="Hoe wil je betalen?")
        page.get_by_role("radio", name=re.compile(r"^Compleet –")).check()
        expect(how).to_be_hidden()
        page.get_by_role("radio", name=re.compile(r"^Basis –")).check()
        expect(how).to_be_visible()
        how.get_by_role("radio", name=re.compile(r"^Elke periode in één keer")).check()
        page.get_by_role(**next_button).click()

        # 2. Login account.
        page.get_by_label(label("Gebruikersnaam")).fill("marieke85")
        page.get_by_label(label("E-mailadres")).fill("marieke@example.nl")
        page.get_by_label(label("Wachtwoord")).fill(PASSWORD)
        page.get_by_label(label("Herhaal je wachtwoord")).fill(PASSWORD)
        page.get_by_role(**next_button).click()

        # 3. Details, first without a surname: the error is announced and tied to the field.
        expect(page.get_by_role("heading", level=1)).to_have_text("Je gegevens")
        fill_details(page, surname="")
        page.get_by_role(**next_button).click()
        summary = page.get_by_role("alert")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("Achternaam")
        surname = page.get_by_label(label("Achternaam"))
        expect(surname).to_have_attribute("aria-invalid", "true")
        described_by = (surname.get_attribute("aria-describedby") or "").split()
        assert described_by, "the empty surname has no aria-describedby"
        messages = [page.locator(f"[id='{ref}']").inner_text() for ref in described_by]
        assert any("verplicht" in m for m in messages), messages
        expect(surname).to_have_accessible_description(re.compile("verplicht"))
        surname.fill("Dijk")
        page.get_by_role(**next_button).click()

        # 4. Review: the name and the price, then pay.
        main = page.get_by_role("main")
        expect(main).to_contain_text("M.J. van Dijk (Marieke)")
        expect(main).to_contain_text(re.compile(PRICE))
        page.screenshot(path=review_shot, full_page=True)
        pay = page.get_by_role("button", name=re.compile(rf"^Betaal {PRICE} met iDEAL \| Wero$"))
        pay.click()

        # 5. The sandbox's hosted checkout (English, like Mollie's test page).
        page.get_by_role("radio", name=re.compile(r"^Paid\b")).check()
        page.get_by_role("button", name="Continue").click()

        # 6. Back at the portal.
        heading = page.get_by_role("heading", name="Welkom! We hebben je betaling ontvangen")
        expect(heading, shots).to_be_visible()
        page.screenshot(path=result_shot, full_page=True)
        context.close()

    patrons = db.session.scalars(select(Patron)).all()
    assert len(patrons) == 1, f"{len(patrons)} patrons; {shots}"
    number = patrons[0].temporary_number or ""
    assert number.startswith("2X"), f"temporary number {number!r}; {shots}"
