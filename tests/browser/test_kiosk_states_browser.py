"""Every state a patron can see on the kiosk, reached the way a patron reaches it (taps, cards, an
ID document, the scanner, the PIN terminal) against a real portal: on each, in portrait
(1080x1920) and landscape (1920x1080), in Dutch and in English, axe finds nothing wrong and every
visible control is at least 48 px each way.

Each walk goes through one part of the kiosk once. Every state on the way is named with
`kiosk.state(name, path, msgid it shows)`, which checks it in the orientation it is in, turns
the screen and checks again, then switches the language in the header and checks both
orientations once more; the walk goes on in that language. To add a state, reach it in the walk
it belongs to and name it there; a new part of the kiosk is a new walk in WALKS."""

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from kiosk.demo import blank_tag, card_tag, demo_document
from kiosk.flows.encode import ACTIVATION_WAITS
from kiosk.flows.id_check import MAX_ATTEMPTS
from kiosk.hardware.simulated import SimulatedDocument
from portal.extensions import db
from portal.wiring import now
from shared.catalogue.isil import load_directory
from shared.guests.directory import HomeLibraries
from shared.guests.home_library import Sip2Settings
from shared.models.account import AccountStatus
from shared.models.card import Card, CardRole, CardStatus
from shared.models.isil import IsilLibrary, IsilPrefix
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.refusals import REFUSALS
from shared.timeutil import local_today
from tests.support.accounts import give_card, member
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium, small_targets
from tests.support.kiosk import TERMINAL, advance_until
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.kiosk_collect import PASSWORD, patron_document, qr_code, typed_document
from tests.support.kiosk_flows import CARD, owing_card_holder
from tests.support.kiosk_states import (
    BLANK_CARD_SECONDS,
    SCREENS,
    KioskWalk,
    SlippingTag,
    walking_kiosk,
)
from tests.support.servers import free_port, running_server
from tests.support.signup import account_data
from tests.support.sip2_home_library import (
    INSTITUTION,
    LOGIN,
    HomeLibraryServer,
    HomePatron,
    running_home_library,
)
from tests.support.staff import desk_session, refuse

BLOCKED_CARD, SECONDARY_CARD, UNKNOWN_CARD = "2527000000025", "2527000000033", "2527000000041"
REFUSED_CARD, DESK_CARD = "2527000000058", "2527000000066"
OTHER_TERMINAL = "term_sandboxKiosk2"
GUEST_CARD, LAID_CARD = "28415000012345", "28415000067890"  # Fryslân's prefix 8415
ONE_YEAR = date(2027, 12, 31)
ERROR_PAGE_SECONDS = 600  # the error page stays while it is checked (it goes back to the start)
START_AGAIN = "Something went wrong. We start again."
# The tokens of a form loaded before the kiosk restarted.
STALE_TOKENS = "(fields) => fields.forEach((field) => { field.value = 'stale'; })"
LETTERS = "#keyboard [data-layer=letters]:not([hidden])"
KEYPAD = "#keyboard [data-layer=digits]:not([hidden])"
EMPTY_LINK = """document.querySelector("main").append(
  Object.assign(document.createElement("a"), { id: "empty", href: "/" }))"""
ACTIVATION_TRIES = len(ACTIVATION_WAITS) + 1
PAY = "Pay %(amount)s"
CARD_REFUSALS = {  # in the order of the cards walk_start lays on the reader
    "card_not_encoded": "This card has no library data on its chip yet. Please go to the desk.",
    "card_unreadable": (
        "We could not read the card. Hold it still against the reader and try again."
    ),
    "card_not_active": "This card is blocked. Please go to the desk.",
    "secondary_card": (
        "This is an extra card (secondary card). Please hold your main card against the reader."
    ),
    "unknown_card": REFUSALS["unknown_card"].message,
    "account_blocked": REFUSALS["account_blocked"].message,
}
REFUSED = (
    "The library has blocked your subscription: you cannot collect a card or borrow now. The desk"
    " can tell you more."
)
DOCUMENT_VERDICTS = {  # in the order of the documents walk_desk_id_check lays
    "someone else's document": "The details of your ID document do not match your registration.",
    "document expired": (
        "Your ID document has expired. Bring a valid passport or identity card to the desk."
    ),
    "document not genuine": "We could not check that your ID document is genuine.",
}


def walk_start(kiosk: KioskWalk) -> None:
    """The start screen, the guest page, an unknown address, each refused card, and out of
    service."""
    patron = owing_card_holder(kiosk.portal, kiosk.people())
    give_card(patron, BLOCKED_CARD, status=CardStatus.BLOCKED)
    give_card(patron, SECONDARY_CARD, CardRole.SECONDARY)
    patron.login_account.status = AccountStatus.BLOCKED  # what their own card says last
    db.session.commit()
    kiosk.start()
    kiosk.state("start screen", "/", "Hold your library card against the reader")
    with kiosk.settings(KIOSK_ERROR_RETURN_SECONDS=ERROR_PAGE_SECONDS):
        kiosk.open("/bestaat-niet")
        kiosk.state("error page: 404", "/bestaat-niet", "This page does not exist.")
        to_start_again(kiosk, language_kept=True)
        kiosk.tap("Collect my card")
        stale = partial(log_in_stale, kiosk)
        stale()
        kiosk.state("error page: 400", "/ophalen/inloggen", START_AGAIN, again=stale)
        to_start_again(kiosk, language_kept=True)
        kiosk.gateway.garbled = lambda path: path.endswith("/identify")
        kiosk.tap("Collect my card")
        crashes = partial(log_in, kiosk, UNKNOWN_CARD)
        crashes()
        kiosk.state("error page: 500", "/ophalen/inloggen", START_AGAIN, again=crashes)
        kiosk.gateway.garbled = None
        to_start_again(kiosk, language_kept=True)
    cards = [blank_tag(), SlippingTag(), card_tag(BLOCKED_CARD), card_tag(SECONDARY_CARD)]
    cards += [card_tag(UNKNOWN_CARD), card_tag(CARD)]
    for tag, (reason, says) in zip(cards, CARD_REFUSALS.items(), strict=True):
        kiosk.lay_card(tag)
        path = f"/pas-geweigerd?reason={reason}"
        kiosk.state(f"card refused: {reason}", path, says)  # in the language before the tap
    kiosk.gateway.away = lambda _path: True
    kiosk.lay_card(card_tag(UNKNOWN_CARD))
    says = "We cannot reach the library system right now. Please go to the desk: they can help you."
    kiosk.state("out of service", "/buiten-gebruik", says)


def walk_pay(kiosk: KioskWalk) -> None:
    """The patron's screen, the idle dialog, and paying on the PIN terminal: every outcome."""
    patron = owing_card_holder(kiosk.portal, kiosk.people())
    kiosk.start()
    kiosk.lay_card(card_tag(CARD))
    kiosk.state("patron screen: owes", "/pas", "Pay what I owe")
    with kiosk.settings(KIOSK_IDLE_SECONDS=1, KIOSK_COUNTDOWN_SECONDS=60):
        kiosk.reload()
        continues = partial(kiosk.tap, "Continue")
        kiosk.state("idle dialog", "/pas", "Are you still there?", "dialog[open]", leave=continues)
        continues()
    kiosk.reload()
    kiosk.tap("Pay what I owe")
    kiosk.state("pay", "/betalen", "Pay what you owe")
    kiosk.tap(PAY, whole=False)
    says = "Hold your bank card against the PIN terminal, or insert it, and follow the terminal."
    kiosk.state("pay: waiting for the bank card", "/betalen/terminal", says)
    kiosk.terminal("pending")
    says = "The terminal read your bank card. One moment please…"
    kiosk.state("pay: card read", "/betalen/terminal", says)
    kiosk.tap("Stop paying")
    says = (
        "The terminal already accepted your card, so the payment cannot be stopped any more."
        " Please wait for the terminal."
    )
    kiosk.state("pay: too late to stop", "/betalen/terminal", says)
    kiosk.terminal("failed")
    says = (
        "The payment did not go through: your bank card was refused or something went wrong."
        " Nothing was paid."
    )
    kiosk.state("not paid: refused", "/betalen/klaar", says)
    kiosk.tap("Try again")
    kiosk.tap("Stop paying")
    kiosk.state("not paid: stopped", "/betalen/klaar", "The payment was stopped. Nothing was paid.")
    pay_again(kiosk)
    kiosk.terminal("expired")
    says = "The PIN terminal waited too long for your card. Nothing was paid."
    kiosk.state("not paid: timed out", "/betalen/klaar", says)
    pay_again(kiosk)
    kiosk.terminal("paid")
    kiosk.state("paid: receipt printed", "/betalen/klaar", "Take your receipt from the printer.")
    kiosk.tap("Back to my overview")
    says = "Take your card off the reader when you are done: we then stop at once."
    kiosk.state("patron screen: nothing owed", "/pas", says)
    charge(kiosk.portal, patron)
    kiosk.tap("Stop and log out")
    to_paying(kiosk, CARD)
    with kiosk.paper_out():
        kiosk.tap(PAY, whole=False)
        at_terminal(kiosk)
        kiosk.terminal("paid")
        says = "The printer cannot print your receipt right now. Here it is on the screen."
        kiosk.state("paid: receipt on screen", "/betalen/klaar", says)


def walk_paying_refused(kiosk: KioskWalk) -> None:
    """Why paying cannot start, each; and the screen of a patron the library refused."""
    patron = owing_card_holder(kiosk.portal, kiosk.people())
    kiosk.start()
    to_paying(kiosk, CARD)
    pays = partial(kiosk.tap, PAY, whole=False)
    with payments_away(kiosk.portal):
        pays()
        says = "Paying does not work right now. Try again in a moment."
        kiosk.state("paying refused: try again soon", "/betalen", says, again=pays)
    back_to_paying(kiosk)
    with terminal_gone():
        pays()
        says = "Paying at this kiosk does not work right now. Please go to the desk."
        kiosk.state("paying refused: go to the desk", "/betalen", says, again=pays)
    other_kiosk = register_kiosk(kiosk.portal, "Kiosk 2", "--terminal", OTHER_TERMINAL)
    assert kiosk_payment(kiosk.people(), other_kiosk, patron, "other-kiosk").status_code == 201
    back_to_paying(kiosk)
    pays()
    says = REFUSALS["nothing_owed"].message
    kiosk.state("paying refused: nothing owed", "/betalen", says, again=pays)
    give_card(refused_patron(kiosk, "invalid"), REFUSED_CARD)
    kiosk.tap("Back to my overview")
    kiosk.tap("Stop and log out")
    kiosk.back_at_start()
    kiosk.lay_card(card_tag(REFUSED_CARD))
    kiosk.state("patron screen: subscription refused", "/pas", REFUSED)


def walk_collect(kiosk: KioskWalk) -> None:
    """Collecting a card: the QR code refused, every form sent empty or wrong, the document
    read, no blank card in time, then the card and its slip."""
    patron, document = member(kiosk.people()), patron_document()
    kiosk.start()
    kiosk.tap("Collect my card")
    kiosk.state("identify", "/ophalen/inloggen", "Scan the QR code")
    kiosk.scan("not-a-code-of-ours")
    says = REFUSALS["code_invalid"].message
    kiosk.state("identify: code refused", "/ophalen/inloggen?error=code_invalid", says)
    logs_in = partial(kiosk.tap, "Log in")
    logs_in()
    kiosk.state("identify: nothing typed", "/ophalen/inloggen", "Type your number.", again=logs_in)
    goes_on = partial(kiosk.tap, "Go on")
    goes_on()
    kiosk.state("identify: no code typed", "/ophalen/inloggen", "Type the code.", again=goes_on)
    wrong = partial(log_in, kiosk, patron.customer_number, "not-my-password")
    wrong()
    says = REFUSALS["bad_credentials"].message
    kiosk.state("identify: refused", "/ophalen/inloggen", says, again=wrong)
    log_in(kiosk, patron.customer_number)
    kiosk.state("ID document", "/ophalen", "Scan your passport or ID card")
    types = partial(kiosk.touch, "input[data-keyboard=letters]")
    types()
    kiosk.state("keyboard: letters", "/ophalen", "Capitals", LETTERS, again=types)
    types_digits = partial(kiosk.touch, "input[data-keyboard=digits]")
    types_digits()
    kiosk.state("keyboard: keypad", "/ophalen", "Done", KEYPAD, again=types_digits)
    kiosk.page.keyboard.press("Escape")
    checks = partial(kiosk.tap, "Check my document")
    checks()
    says = "Type the document number: letters and digits, as on your document."
    kiosk.state("ID document: nothing typed", "/ophalen", says, again=checks)
    kiosk.lay_document(document)
    kiosk.type(as_typed(document, number="XX0000000"))
    checks()
    says = "The details do not open your document. Check them and try again."
    kiosk.state("ID document: details do not open it", "/ophalen?problem=access_denied", says)
    kiosk.lay_document(None)
    kiosk.type(as_typed(document))
    checks()
    says = "Hold your document flat on the reader until we are done."
    kiosk.state("reading the document", "/ophalen/lezen", says)
    kiosk.lay_document(document)
    says = "Take a blank card from the tray and hold it on the reader."
    kiosk.state("blank card: waiting", "/ophalen/nieuwe-pas", says)
    kiosk.clock.advance(BLANK_CARD_SECONDS + 1)
    says = "We did not find a blank card on the reader."
    kiosk.state("blank card: none came", "/ophalen/nieuwe-pas", says)
    kiosk.lay_blank(blank_tag())
    kiosk.tap("Try again")
    kiosk.state("card ready: slip printed", "/ophalen/klaar", "Take your slip from the printer.")


def walk_guest(kiosk: KioskWalk) -> None:
    """Becoming a guest: the own card's page (a number that is not one), the library asked for
    where the number leaves a choice (and found by name), the terms, the ID document and the
    slip; then another card laid, whose chip names its library, and the desk for a document
    that is not its holder's."""
    server = HomeLibraryServer()
    server.patrons[GUEST_CARD] = HomePatron("Brouwer, Sjoukje", date(1985, 4, 15), ONE_YEAR)
    server.patrons[LAID_CARD] = HomePatron("Brouwer, Sjoukje", date(1985, 4, 15), ONE_YEAR)
    with running_home_library(server) as port:
        user, password = LOGIN
        settings = Sip2Settings("127.0.0.1", port, INSTITUTION, user, password)
        kiosk.portal.config["HOME_LIBRARIES"] = HomeLibraries({INSTITUTION: settings})
        load_directory_sharing_the_prefix()
        own_card_and_library(kiosk)
        terms_document_and_slip(kiosk)
        kiosk.tap("Done")
        kiosk.back_at_start()
        kiosk.tap("Become a guest patron")
        expect(kiosk.page).to_have_url(kiosk.at("/gastlener"), timeout=TIMEOUT_MS)
        expect(kiosk.page.locator("[data-poll-url]")).to_be_attached(timeout=TIMEOUT_MS)
        kiosk.lay_card(card_tag(LAID_CARD, INSTITUTION))  # once the page asks for it
        kiosk.tap("I accept the terms")
        # The ID page forgets scans made before it: the patron scans once it asks.
        expect(kiosk.page).to_have_url(kiosk.at("/gastlener/legitimatie"), timeout=TIMEOUT_MS)
        someone = patron_document()
        kiosk.lay_document(someone)
        kiosk.scan_document(someone)
        says = REFUSALS["guest_document_not_verified"].message
        kiosk.state("guest: to the desk", "/gastlener/balie", says)


def load_directory_sharing_the_prefix() -> None:
    """The ISIL directory, with a second library using Fryslân's prefix 8415."""
    load_directory(db.session())
    db.session.add(IsilLibrary(isil="NL-999001", organisation="Bibliotheek Testerland"))
    db.session.add(IsilPrefix(prefix="8415", isil="NL-999001"))
    db.session.commit()


def own_card_and_library(kiosk: KioskWalk) -> None:
    """The card page, a number that is not one, then the library chosen by name."""
    kiosk.start()
    kiosk.tap("Become a guest patron")
    says = "Hold the card of your own library against the reader"
    kiosk.state("guest: own card", "/gastlener", says)
    goes_on = partial(kiosk.tap, "Next")
    goes_on()
    says = "Type the number on your library card: 4 to 20 digits or letters."
    kiosk.state("guest: nothing typed", "/gastlener", says, again=goes_on)
    guest_number(kiosk, GUEST_CARD)
    says = "Which library gave you your card?"
    kiosk.state("guest: which library", "/gastlener/bibliotheek", says)
    kiosk.page.locator("#search").fill("fryslan")  # the choices' form holds the search too
    kiosk.tap("Search")
    path = "/gastlener/bibliotheek?search=fryslan"
    kiosk.state("guest: library found by name", path, "Bibliotheekservice Fryslân")
    fryslan = f"Bibliotheekservice Fryslân ({INSTITUTION})"  # one organisation, several ISILs
    kiosk.page.get_by_role("button", name=fryslan, exact=True).tap()


def guest_number(kiosk: KioskWalk, number: str) -> None:
    """Type the own card's number and go on."""
    kiosk.type({"card_number": number})
    kiosk.tap("Next")


def terms_document_and_slip(kiosk: KioskWalk) -> None:
    """The terms accepted, the document scanned and read, the slip printed."""
    kiosk.state("guest: terms", "/gastlener/voorwaarden", "I accept the terms")
    kiosk.tap("I accept the terms")
    kiosk.state("guest: ID document", "/gastlener/legitimatie", "Scan your passport or ID card")
    document = guest_document()
    kiosk.lay_document(document)
    kiosk.scan_document(document)
    says = "Take your slip from the printer."
    kiosk.state("guest: ready", "/gastlener/klaar", says)


def guest_document() -> SimulatedDocument:
    """Sjoukje Brouwer's passport."""
    return demo_document("Brouwer", "Sjoukje", date(1985, 4, 15))


def walk_lost(kiosk: KioskWalk) -> None:
    """A lost card: logging in for it, blocking it, collecting the next (the slip on screen, the
    printer out of paper); then nothing is left to collect."""
    patron, document = member(kiosk.people()), patron_document()
    give_card(patron, CARD)
    kiosk.start()
    kiosk.tap("I lost my card")
    says = "Log in to block your card"
    kiosk.state("identify: lost card", "/ophalen/inloggen?purpose=lost", says)
    log_in(kiosk, CARD)
    says = "You can borrow again once you collect a new card. You need your ID document for that."
    kiosk.state("lost card: block it?", "/kwijt", says)
    blocks = partial(kiosk.tap, "Yes, block my card")
    with card_status(CARD, CardStatus.BLOCKED):  # the desk blocked it meanwhile
        blocks()
        says = "We could not block your card here. Please go to the desk."
        kiosk.state("lost card: not blocked here", "/kwijt", says, again=blocks)
    blocks()
    says = "Collect a new card now. Have your ID document ready."
    kiosk.state("lost card: blocked", "/kwijt/geblokkeerd", says)
    kiosk.tap("Collect a new card")
    expect(kiosk.page).to_have_url(kiosk.at("/ophalen"), timeout=TIMEOUT_MS)
    kiosk.lay_document(document)
    kiosk.scan_document(document)
    with kiosk.paper_out():
        kiosk.lay_blank(blank_tag())
        says = "We could not print a slip. Here is what it says."
        kiosk.state("card ready: slip on screen", "/ophalen/klaar", says)
    kiosk.tap("To my overview")
    kiosk.state("patron screen: logged in", "/pas", "My card is lost: block it")
    kiosk.tap("Stop and log out")
    kiosk.back_at_start()
    kiosk.tap("Collect my card")
    log_in(kiosk, account_data()["username"])
    says = "You already have a library card, or your subscription does not include one."
    kiosk.state("no card to collect", "/ophalen/niet-nodig", says)


def walk_desk_id_check(kiosk: KioskWalk) -> None:
    """The desk page for each reason the ID check stops collecting a card."""
    patron, document = member(kiosk.people()), patron_document()
    subscription = patron.subscriptions[0]
    ends, subscription.end_date = subscription.end_date, local_today(now()) - timedelta(days=1)
    db.session.commit()
    kiosk.start()
    to_id_check(kiosk, patron, "/ophalen/balie")
    says = (
        "Your subscription is not valid: it has ended or it is blocked. Renew it at the desk or on"
        " the website; then you can collect your card."
    )
    kiosk.state("desk: subscription not valid", "/ophalen/balie", says)
    subscription.end_date = ends
    db.session.commit()
    expired = patron_document(expiry=local_today(now()) - timedelta(days=1))
    documents = [patron_document(surname="Jansen"), expired, forged(patron_document())]
    for shown, (name, says) in zip(documents, DOCUMENT_VERDICTS.items(), strict=True):
        to_start_again(kiosk)
        to_id_check(kiosk, patron)
        kiosk.lay_document(shown)
        kiosk.scan_document(shown)
        kiosk.state(f"desk: {name}", "/ophalen/balie", says)
    to_start_again(kiosk)
    to_id_check(kiosk, patron)
    kiosk.lay_document(document)
    for _try in range(MAX_ATTEMPTS - 1):
        with kiosk.leaving():
            kiosk.scan_document(patron_document())  # another document's MRZ: no access
        expect(kiosk.page).to_have_url(kiosk.at("/ophalen"), timeout=TIMEOUT_MS)
    kiosk.scan_document(patron_document())
    says = "We could not read your ID document."
    kiosk.state("desk: document unreadable", "/ophalen/balie", says)


def walk_desk_card(kiosk: KioskWalk) -> None:
    """The desk page for each reason the blank card step stops, and for a refused patron."""
    patron, document = member(kiosk.people()), patron_document()
    kiosk.start()
    to_blank_card(kiosk, patron, document)
    kiosk.gateway.away = lambda path: path.endswith("/activate")
    kiosk.lay_blank(blank_tag())
    assert advance_until(kiosk.clock, lambda: kiosk.gateway.refused == ACTIVATION_TRIES, 0.5)
    kiosk.gateway.away = None
    says = "Your card is written but we could not link it. Please go to the desk with this card."
    kiosk.state("desk: card not linked", "/ophalen/balie", says)
    to_start_again(kiosk)
    kiosk.lay_blank(None)
    to_blank_card(kiosk, patron, document)
    give_card(patron, DESK_CARD)  # the desk gave the patron a card meanwhile
    kiosk.lay_blank(blank_tag())
    kiosk.state("desk: card not made", "/ophalen/balie", "We could not make your card here.")
    to_start_again(kiosk)
    to_id_check(kiosk, refused_patron(kiosk, "blacklisted"), "/ophalen/balie")
    kiosk.state("desk: subscription refused", "/ophalen/balie", REFUSED)


def walk_larger_text(kiosk: KioskWalk) -> None:
    """Larger text on: the start screen, a form, and the patron's screen."""
    owing_card_holder(kiosk.portal, kiosk.people())
    kiosk.start()
    kiosk.larger_text()
    kiosk.state("larger text: start screen", "/", "Hold your library card against the reader")
    kiosk.tap("Collect my card")
    kiosk.state("larger text: identify", "/ophalen/inloggen", "Scan the QR code")
    kiosk.open("/")
    kiosk.lay_card(card_tag(CARD))  # the patron's session goes on in larger text
    kiosk.state("larger text: patron screen", "/pas", "Pay what I owe")


WALKS: dict[str, Callable[[KioskWalk], None]] = {
    "start": walk_start,
    "guest": walk_guest,
    "pay": walk_pay,
    "paying-refused": walk_paying_refused,
    "collect": walk_collect,
    "lost": walk_lost,
    "desk-id-check": walk_desk_id_check,
    "desk-blank-card": walk_desk_card,
    "larger-text": walk_larger_text,
}


def charge(portal: Flask, patron: Patron) -> None:
    """Charge the patron another fee."""
    key = f"fee-{patron.id}-{secrets.token_hex(4)}"
    args = ["ledger", "charge", patron.customer_number, "12.50", "Te laat", "--key", key]
    result = portal.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output


def to_paying(kiosk: KioskWalk, card: str) -> None:
    """From the start screen, tap the card and open paying."""
    kiosk.back_at_start()
    kiosk.lay_card(card_tag(card))
    kiosk.tap("Pay what I owe")
    expect(kiosk.page).to_have_url(kiosk.at("/betalen"), timeout=TIMEOUT_MS)


def pay_again(kiosk: KioskWalk) -> None:
    """Try paying again, at the terminal."""
    kiosk.tap("Try again")
    at_terminal(kiosk)


def at_terminal(kiosk: KioskWalk) -> None:
    """Wait for the terminal page: the payment the PIN terminal takes exists then."""
    expect(kiosk.page).to_have_url(kiosk.at("/betalen/terminal"), timeout=TIMEOUT_MS)


def back_to_paying(kiosk: KioskWalk) -> None:
    """From a page of paying back to the patron's screen, and on to paying."""
    kiosk.tap("Back to my overview")
    kiosk.tap("Pay what I owe")


def log_in(kiosk: KioskWalk, login: str, password: str = PASSWORD) -> None:
    """Type login and password on the identify form and log in."""
    kiosk.type({"login": login, "password": password})
    kiosk.tap("Log in")


def log_in_stale(kiosk: KioskWalk) -> None:
    """Log in from an identify form whose CSRF token the kiosk no longer knows."""
    tokens = kiosk.page.locator("main input[name=csrf_token]")
    expect(tokens.first).to_be_attached(timeout=TIMEOUT_MS)  # the form's page has come
    tokens.evaluate_all(STALE_TOKENS)
    kiosk.tap("Log in")


@contextmanager
def card_status(number: str, status: CardStatus) -> Iterator[None]:
    """The card has this status (set at the desk) while the block runs."""
    card = db.session.scalars(select(Card).where(Card.number == number)).one()
    before, card.status = card.status, status
    db.session.commit()
    try:
        yield
    finally:
        card.status = before
        db.session.commit()


@contextmanager
def payments_away(portal: Flask) -> Iterator[None]:
    """The payment service does not answer the portal while the block runs."""
    endpoint = portal.config["MOLLIE_ENDPOINT"]
    portal.config["MOLLIE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    try:
        yield
    finally:
        portal.config["MOLLIE_ENDPOINT"] = endpoint


@contextmanager
def terminal_gone() -> Iterator[None]:
    """The kiosk has no PIN terminal at the portal while the block runs."""
    device = db.session.scalars(
        select(KioskDevice).where(KioskDevice.terminal_id == TERMINAL)
    ).one()
    device.terminal_id = None
    db.session.commit()
    try:
        yield
    finally:
        device.terminal_id = TERMINAL
        db.session.commit()


def refused_patron(kiosk: KioskWalk, status: str) -> Patron:
    """A patron whose subscription the library refused at the desk (invalid, blacklisted)."""
    patron = member(kiosk.people(), username="refused85", email="refused@example.nl")
    coordinator = desk_session(kiosk.portal, kiosk.people(), "hoofd", "coordinator")
    assert refuse(coordinator, patron, status, "Post komt retour").status_code == 303
    return patron


def as_typed(document: SimulatedDocument, number: str | None = None) -> dict[str, str]:
    """The ID form's fields (by name) as the patron types them from the document."""
    typed = typed_document(document)
    return {**typed, "document_number": number or typed["document_number"]}


def to_start_again(kiosk: KioskWalk, language_kept: bool = False) -> None:
    """From the desk page back to the start screen; `language_kept` from an error page, whose
    session kept the patron's language."""
    kiosk.tap("Back to the start")
    kiosk.back_at_start(language_kept)


def to_id_check(kiosk: KioskWalk, patron: Patron, then: str = "/ophalen") -> None:
    """From the start screen, scan the patron's QR code to collect a card; wait for `then`."""
    kiosk.tap("Collect my card")
    expect(kiosk.page).to_have_url(kiosk.at("/ophalen/inloggen"), timeout=TIMEOUT_MS)
    kiosk.scan(qr_code(patron))
    expect(kiosk.page).to_have_url(kiosk.at(then), timeout=TIMEOUT_MS)


def to_blank_card(kiosk: KioskWalk, patron: Patron, document: SimulatedDocument) -> None:
    """From the start screen, identify and have the document checked: the blank card page."""
    to_id_check(kiosk, patron)
    kiosk.lay_document(document)
    kiosk.scan_document(document)
    expect(kiosk.page).to_have_url(kiosk.at("/ophalen/nieuwe-pas"), timeout=TIMEOUT_MS)


def forged(document: SimulatedDocument) -> SimulatedDocument:
    """The document with a chip whose data do not match its signature."""
    document.holder["sod_hash_ok"] = False
    return document


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole module; each walk has a context of its own."""
    with chromium() as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("walk", WALKS)
def test_every_state_passes_axe_and_fits_a_finger(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
    browser: Browser,
    walk: str,
) -> None:
    with walking_kiosk(app, new_browser, mollie_sandbox, browser) as kiosk:
        WALKS[walk](kiosk)
    print(f"{walk}: {len(kiosk.states)} states, each in 4 combinations")
    assert kiosk.problems == []


@pytest.mark.browser
def test_the_checks_see_a_link_too_small_and_without_a_name(
    kiosk_app: Flask, browser: Browser
) -> None:
    with running_server(kiosk_app) as server:
        page = browser.new_page(viewport=SCREENS["portrait"])  # type: ignore[arg-type]
        page.goto(server)
        assert axe_violations(page) == [] and small_targets(page) == []
        page.evaluate(EMPTY_LINK)
        assert [problem.split(":")[0] for problem in axe_violations(page)] == ["link-name"]
        # Its width is the layout's (a flex item spans the page); its height is none.
        assert [target.rsplit(" ", 1)[0] for target in small_targets(page)] == [
            'touch target: a#empty ""'
        ]
        assert small_targets(page)[0].endswith("x0")
        page.close()
