"""A desk session in headless Chromium with the keyboard only: log in, search (no match, then
several), open a patron and a section of their screen, register a patron (errors first, then a
likely duplicate passed with "Toch aanmaken"), and the search in English; axe-core checks every
page it reaches."""

import re
from datetime import date
from typing import Literal

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.models.id_check import DeskIdCheck
from shared.models.patron import Gender, Patron
from tests.support.accounts import create_staff
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium, label
from tests.support.factories import create_patron
from tests.support.keyboard import has_focus, press, tab_to, type_into
from tests.support.staff import OWN_PASSWORD, code_at

# Day and month alike: the date field takes its digits in the browser's order (headless Chromium
# keeps month-day-year whatever the page's language), and this date is typed the same either way.
BORN = date(1980, 3, 3)
TO_REFUSAL = "Abonnement ongeldig maken of klant op de zwarte lijst zetten, of dat opheffen"


def heading(page: Page) -> str:
    """The page's h1 once it is shown, with no axe violation on the page."""
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_be_visible()
    assert axe_violations(page) == [], page.url
    return h1.inner_text()


def log_in(page: Page, server: str, app: Flask) -> None:
    """A new desk member logs in: password, the code of their app, a password of their own."""
    shown = create_staff(app)
    page.goto(f"{server}/inloggen")
    type_into(page, page.get_by_label(label("Inlognaam")), "balie")
    type_into(page, page.get_by_label(label("Wachtwoord")), shown["password"])
    press(page, "Inloggen")
    type_into(
        page, page.get_by_label(label("Code")), code_at(pyotp.parse_uri(shown["otpauth_uri"]))
    )
    press(page, "Bevestigen")
    type_into(page, page.get_by_label(label("Huidig wachtwoord")), shown["password"])
    type_into(page, page.get_by_label(label("Nieuw wachtwoord")), OWN_PASSWORD)
    type_into(page, page.get_by_label(label("Herhaal nieuw wachtwoord")), OWN_PASSWORD)
    press(page, "Nieuw wachtwoord opslaan")


def search(page: Page, text: str) -> None:
    """Type in the search box that has the focus (what was there before replaced), then Enter."""
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def follow(
    page: Page, name: str, role: Literal["link", "button"] = "link", backwards: bool = False
) -> None:
    """Tab to the link (or button) and press Enter."""
    tab_to(page, page.get_by_role(role, name=name, exact=True), backwards)
    page.keyboard.press("Enter")


@pytest.fixture
def patrons(app: Flask) -> None:
    """Two patrons a search for "jansen" finds (one by a typo)."""
    for names, born in (
        (("A.M.", "", "Jansen", "Anna"), BORN),
        (("P.", "", "Janssen", "Piet"), date(1975, 1, 1)),
    ):
        create_patron(db.session, None, now(), birth_date=born, names=names, subscription="0045")
    db.session.commit()


@pytest.mark.browser
def test_a_desk_session_with_the_keyboard_only(
    app: Flask, portal_server: str, patrons: None
) -> None:
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, portal_server, app)
        assert heading(page) == "Klant zoeken"
        box = page.get_by_label(label("Naam, pasnummer"))
        assert has_focus(box)
        search(page, "Niemandsland")
        expect(page.get_by_role("status")).to_contain_text("Geen klant gevonden")
        heading(page)
        search(page, "jansen")
        expect(page.get_by_role("status")).to_have_text("2 klanten gevonden voor “jansen”.")
        heading(page)
        follow(page, "A.M. Jansen")
        assert heading(page) == "A.M. Jansen"
        follow(page, "Passen")
        expect(page).to_have_url(re.compile("#cards$"))
        assert has_focus(page.get_by_role("heading", name="Passen"))
        follow(page, "Nieuwe klant", backwards=True)
        assert heading(page) == "Nieuwe klant"
        expect(page.get_by_role("link", name="Nieuwe klant")).to_have_attribute(
            "aria-current", "page"
        )
        register(page)
        assert_registered()
        in_english(page)
        context.close()


@pytest.mark.browser
def test_the_desk_makes_a_subscription_invalid_and_lifts_it_with_the_keyboard(
    app: Flask, portal_server: str
) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, portal_server, app)
        assert heading(page) == "Klant zoeken"
        page.goto(f"{portal_server}/balie/klanten/{patron.temporary_number}")
        follow(page, TO_REFUSAL)
        assert heading(page) == f"Ongeldig of zwarte lijst: {patron.display_name}"
        reason = page.get_by_label(label("Reden"))
        tab_to(page, reason)
        page.keyboard.press("Enter")  # nothing chosen or typed yet
        expect(page.get_by_role("alert")).to_contain_text("Verbeter het volgende")
        heading(page)
        tab_to(page, page.get_by_role("radio", name="Ongeldig"))
        page.keyboard.press("Space")
        type_into(page, reason, "Post komt retour")
        page.keyboard.press("Enter")
        assert heading(page) == patron.display_name
        expect(page.get_by_role("status").first).to_contain_text("is nu ongeldig")
        follow(page, TO_REFUSAL)
        follow(page, "Weigering opheffen", role="button")
        assert heading(page) == patron.display_name
        expect(page.get_by_role("status").first).to_contain_text("De weigering is opgeheven")
        context.close()
    db.session.expire_all()
    assert db.session.get_one(Patron, patron.id).subscriptions[0].status == "normal"


def register(page: Page) -> None:
    """Send the empty form (Enter in a field), fill it in by keyboard, pass the likely
    duplicate."""
    tab_to(page, page.get_by_label(label("Achternaam")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Verbeter het volgende")
    heading(page)
    assert has_focus(page.get_by_role("alert"))
    tab_to(page, page.get_by_role("radio", name="Vrouw"))
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Man")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("radio", name="Vrouw")).to_be_checked()
    for field, text in (
        ("Voorletters", "A."),
        ("Achternaam", "Janssen"),
        ("Roepnaam", "Anne"),
        ("Geboortedatum", "03031980"),
        ("Postcode", "7961 AM"),
        ("Huisnummer", "14"),
        ("Straat", "Dijkhuizen"),
        ("Woonplaats", "Ruinerwold"),
        ("Vestiging", "Bibliotheek Ru"),
        ("Abonnement", "Basis"),
    ):
        type_into(page, page.get_by_label(label(field)), text)
    expect(page.get_by_label(label("Vestiging"))).to_have_value("5270")
    expect(page.get_by_label(label("Abonnement"))).to_have_value("0045")
    tab_to(page, page.get_by_label(label("Legitimatie")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label(label("Inlogaccount aanmaken")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label(label("Pasnummer")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bestaat deze klant al?")).to_be_visible()
    heading(page)
    assert has_focus(page.locator("#duplicates"))  # the question first, before the form
    follow(page, "Toch aanmaken", role="button")
    assert heading(page) == "A. Janssen"
    expect(page.get_by_role("status").first).to_have_text("A. Janssen is ingeschreven.")


def assert_registered() -> None:
    """The patron typed in is there: a woman born on BORN with Basis, the ID check recorded
    and no login account."""
    db.session.expire_all()
    patron = db.session.scalars(select(Patron).where(Patron.first_name == "Anne")).one()
    assert (patron.surname, patron.gender, patron.birth_date) == ("Janssen", Gender.VROUW, BORN)
    assert patron.home_branch.code == "5270" and patron.login_account is None
    assert [sub.type.code for sub in patron.subscriptions] == ["0045"]
    checks = db.session.scalars(select(DeskIdCheck).where(DeskIdCheck.patron_id == patron.id))
    assert [check.staff_username for check in checks] == ["balie"]


def in_english(page: Page) -> None:
    """Switch the language, and search from the header's box in English. (Playwright's keys
    do not reach Chromium's access keys, so Tab takes the cursor there.)"""
    follow(page, "English", role="button")
    expect(page.get_by_role("link", name="Find a patron")).to_be_visible()
    type_into(page, page.get_by_role("searchbox", name="Find a patron"), "jansen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("3 patrons match “jansen”.")
    assert heading(page) == "Find a patron"
    expect(page.get_by_role("link", name="Find a patron")).to_have_attribute("aria-current", "page")
