"""A desk session in headless Chromium (issue 17, point 7): a new desk member logs in, registers
a newcomer, scans a blank card for them (a keyboard-wedge scanner types the number and Enter
into the focused field), takes the cash they owe (choosing the desk first), and prints the day
report of the cash drawer; axe-core checks every page it reaches."""

import re
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.cards.numbers import luhn_check_digit
from shared.models.card import Card
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentMethod
from shared.payments import ledger
from shared.timeutil import local_today
from tests.browser.test_desk_keyboard_browser import heading, log_in
from tests.support.browser import TIMEOUT_MS, chromium, label
from tests.support.desk_money import add_desk

BLANK_CARD = "25270" + "0000777"
BLANK_CARD += luhn_check_digit(BLANK_CARD)


def amount_text(amount: Decimal) -> str:
    """An amount as the Dutch pages show it (€ 12,50)."""
    return format_currency(amount, "EUR", locale="nl_NL")


@pytest.mark.browser
def test_a_desk_session_registers_scans_a_card_takes_cash_and_prints_the_day_report(
    app: Flask, portal_server: str
) -> None:
    add_desk(app, "BALIE-HAL")
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, portal_server, app)
        assert heading(page) == "Klant zoeken"
        page.get_by_role("link", name="Nieuwe klant").click()
        register_newcomer(page)
        patron = newcomer()
        scan_blank_card(page)
        owed = ledger.balance(db.session, patron.id)
        assert owed > 0
        take_cash(page, owed)
        assert ledger.balance(db.session, patron.id) == 0
        print_day_report(page, cash_of_the_day())
        context.close()


def register_newcomer(page: Page) -> None:
    """The desk's form for a new patron, filled in (no login, no card yet) and sent."""
    assert heading(page) == "Nieuwe klant"
    page.get_by_role("radio", name="Man").check()
    for field, text in (
        ("Voorletters", "T."),
        ("Achternaam", "Nieuwkomer"),
        ("Roepnaam", "Tom"),
        ("Postcode", "7961 AM"),
        ("Huisnummer", "30"),
        ("Straat", "Dijkhuizen"),
        ("Woonplaats", "Ruinerwold"),
    ):
        page.get_by_label(label(field)).fill(text)
    page.get_by_label(label("Geboortedatum")).fill("1990-06-15")
    page.get_by_label(label("Vestiging")).select_option("5270")
    page.get_by_label(label("Abonnement")).select_option("0045")
    page.get_by_label(label("Legitimatie")).check()
    page.get_by_label(label("Inlogaccount aanmaken")).uncheck()  # no e-mail address given
    page.get_by_label(label("Pasnummer")).press("Enter")
    assert heading(page) == "T. Nieuwkomer"
    expect(page.get_by_role("status").first).to_have_text("T. Nieuwkomer is ingeschreven.")


def newcomer() -> Patron:
    """The patron registered, read afresh."""
    db.session.expire_all()
    return db.session.scalars(select(Patron).where(Patron.surname == "Nieuwkomer")).one()


def scan_blank_card(page: Page) -> None:
    """The scan page opens with its card-number field focused; the scanner types the number and
    Enter; the patron screen shows the card."""
    page.get_by_role("link", name=re.compile("^Pas scannen")).click()
    assert heading(page) == "Pas scannen"
    expect(page.get_by_role("textbox", name="Pasnummer", exact=True)).to_be_focused()
    page.keyboard.type(BLANK_CARD)
    page.keyboard.press("Enter")
    assert heading(page) == "T. Nieuwkomer"
    expect(page.get_by_role("status").first).to_have_text(
        f"Pas {BLANK_CARD} is aan de klant gekoppeld."
    )
    card = db.session.scalars(select(Card).where(Card.number == BLANK_CARD)).one()
    assert card.patron_id == newcomer().id


def take_cash(page: Page, owed: Decimal) -> None:
    """Take a payment: the desk is asked first (its form sent empty, then chosen), then all that
    is owed in cash."""
    page.get_by_role("link", name="Betaling ontvangen").click()
    assert heading(page) == "Kies je balie"
    page.get_by_role("button", name="Aan deze balie werken").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies de balie waaraan je werkt.")
    heading(page)
    page.get_by_role("radio", name=re.compile("^Balie BALIE-HAL")).check()
    page.get_by_role("button", name="Aan deze balie werken").click()
    assert heading(page) == "Betaling ontvangen"
    page.get_by_role("radio", name="Contant").check()
    page.get_by_role("button", name="Betaling ontvangen").click()
    assert heading(page) == "T. Nieuwkomer"
    expect(page.get_by_role("status").first).to_have_text(f"{amount_text(owed)} contant ontvangen.")
    db.session.expire_all()


def cash_of_the_day() -> Decimal:
    """The cash payments on the ledger today (Amsterdam), from the database."""
    today = local_today(now())
    entries = db.session.execute(
        select(LedgerEntry.amount, LedgerEntry.created_at)
        .join(Payment, Payment.id == LedgerEntry.payment_id)
        .where(LedgerEntry.entry_type == EntryType.PAYMENT, Payment.method == PaymentMethod.CASH)
    )
    return sum(
        (abs(amount) for amount, moment in entries if local_today(moment) == today), Decimal(0)
    )


def print_day_report(page: Page, cash: Decimal) -> None:
    """The day report shows the cash taken in its totals; printed, the navigation and the print
    button are gone and the totals remain."""
    assert cash > 0
    page.get_by_role("link", name="Dagrapport van de kassa").click()
    assert heading(page) == "Dagrapport van de kassa"
    expect_cash_totals(page, cash)
    page.emulate_media(media="print")
    expect_cash_totals(page, cash)
    expect(page.get_by_role("button", name="Afdrukken")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Balie")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()


def expect_cash_totals(page: Page, cash: Decimal) -> None:
    """The report's total shows the cash, all taken, and the drawer at this amount."""
    total = page.get_by_role("table", name="Totaal")
    for line in ("Contant", "Ontvangen", "Kassa (contant ontvangen min contant terugbetaald)"):
        row = total.get_by_role("row", name=re.compile(f"^{re.escape(line)} "))
        expect(row).to_be_visible()
        expect(row.get_by_role("cell")).to_have_text(amount_text(cash))
