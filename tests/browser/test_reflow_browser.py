"""Reflow (WCAG 1.4.10): every page state of the portal at 320 CSS pixels wide, in headless
Chromium, without horizontal scrolling, with labels clear of their values and table cells clear
of each other.

Three walks (signup and payment; logging in; the account, single sign-on and staff pages) check
every page they reach; each knows which page templates it must have shown, and together they
show every page template of the portal, so a new page without a reflow check fails here."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from jinja2 import Template
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.catalogue.isil import load_directory
from shared.clock import ManualClock
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from tests.functional.portal.test_first_login import DESK_PASSWORD, desk_member
from tests.functional.portal.test_letters import renewal_letter
from tests.support.accounts import PASSWORD, give_card, mailed_path, member
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium
from tests.support.desk_money import DESK_TERMINAL, add_desk, charge, money_page
from tests.support.factories import create_patron
from tests.support.keyboard import tab_to
from tests.support.kiosk_api import PASSPORT, KioskApi, register_kiosk
from tests.support.oidc import add_service, authorize_url
from tests.support.servers import free_port
from tests.support.signup import details_data
from tests.support.staff import desk_session

NARROW = {"width": 320, "height": 640}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The page templates each walk shows (partials, whose names start with "_", are in pages).
SIGNUP_PAGES = {
    "portal/main/home.html",
    "portal/signup/subscription.html",
    "portal/signup/account.html",
    "portal/signup/details.html",
    "portal/signup/review.html",
    "portal/signup/completed.html",
    "portal/payments/unavailable.html",
    "portal/payments/not_paid.html",
    "portal/payments/pending.html",
    "portal/payments/paid.html",
    "portal/account/confirm_library_email.html",
    "portal/account/confirmed.html",
}
LOGIN_PAGES = {
    "portal/main/home.html",
    "portal/login/login.html",
    "portal/login/forgot.html",
    "portal/login/forgot_sent.html",
    "portal/login/reset.html",
    "portal/login/link_failed.html",
    "portal/login/confirmation_request.html",
    "portal/login/confirmation_sent.html",
    "portal/login/first_login.html",
    "portal/login/link.html",
    "portal/error.html",
    "portal/account/confirmed.html",
    "portal/account/confirm_failed.html",
}
ACCOUNT_PAGES = {
    "portal/login/login.html",
    "portal/account/overview.html",
    "portal/account/password.html",
    "portal/account/email.html",
    "portal/account/cancel.html",
    "portal/account/change.html",
    "portal/account/stop_direct_debit.html",
    "portal/account/confirmed.html",
    "portal/oidc/consent.html",
    "portal/oidc/error.html",
    "portal/oidc/logout.html",
    "portal/oidc/logged_out.html",
    "portal/payments/pay_instead.html",
    "portal/payments/period_paid.html",
    "portal/staff/forbidden.html",
    "portal/staff/kiosks.html",
    "portal/staff/register.html",
    "portal/dev/mail_list.html",
    "portal/dev/mail_show.html",
}
DESK_PAGES = {
    "portal/staff/second_step.html",
    "portal/staff/staff_list.html",
    "portal/staff/search.html",
    "portal/staff/patron.html",
    "portal/staff/patron_unknown.html",
    "portal/staff/cancel.html",
    "portal/staff/change.html",
    "portal/payments/change_paid.html",
    "portal/staff/audit.html",
    "portal/staff/letters.html",
    "portal/staff/subscription_status.html",
    "portal/staff/scan_card.html",
    "portal/staff/login_account.html",
    "portal/staff/choose_desk.html",
    "portal/payments/balance_paid.html",
    "portal/staff/take_payment.html",
    "portal/staff/terminal_payment.html",
    "portal/staff/waive.html",
    "portal/staff/refund.html",
    "portal/staff/day_report.html",
    "portal/staff/patron_data.html",
    "portal/staff/merge_choose.html",
    "portal/staff/merge.html",
    "portal/staff/privacy_export.html",
    "portal/staff/privacy_erase.html",
    "portal/staff/register_guest.html",
}
# Pairs of boxes that must not meet: each label of a list with its value, and each cell of a
# table row with the next one; and no cell whose text runs out of it.
CLASHES = """() => {
  const clipped = (e) => e && (getComputedStyle(e).clip !== 'auto' || clipped(e.parentElement));
  const shown = (e) => e.getClientRects().length > 0 && !clipped(e);
  const meet = (a, b) => !(a.right <= b.left + .5 || b.right <= a.left + .5
    || a.bottom <= b.top + .5 || b.bottom <= a.top + .5);
  const pairs = [...document.querySelectorAll('dl dt')].map((dt) => [dt, dt.nextElementSibling])
    .concat([...document.querySelectorAll('tr')].flatMap((row) => [...row.children]
      .slice(1).map((cell) => [cell.previousElementSibling, cell])));
  const clashes = pairs.filter(([a, b]) => b && shown(a) && shown(b))
    .filter(([a, b]) => meet(a.getBoundingClientRect(), b.getBoundingClientRect()))
    .map(([a, b]) => `${a.textContent.trim()} / ${b.textContent.trim()}`);
  const spilling = [...document.querySelectorAll('th, td, dt, dd')]
    .filter((e) => shown(e) && e.scrollWidth > e.clientWidth + 1)
    .map((e) => `${e.textContent.trim()} runs out of its box`);
  return clashes.concat(spilling);
}"""
WIDTH = "[document.documentElement.scrollWidth, document.body.scrollWidth]"
# What sticks out, to say so when a page is too wide.
WIDE = """[...document.querySelectorAll('body *')]
  .filter((e) => !e.matches('.visually-hidden'))
  .filter((e) => e.getBoundingClientRect().right > 320 || e.scrollWidth > e.clientWidth + 1)
  .slice(-5).map((e) => `${e.tagName}.${e.className}#${e.id} ${e.scrollWidth}/${e.clientWidth}`)"""


@pytest.fixture
def shown(app: Flask) -> Iterator[set[str]]:
    """The page templates the portal server renders during the test."""
    names: set[str] = set()

    def record(_sender: Flask, template: Template, **_extra: object) -> None:
        if template.name and not Path(template.name).name.startswith("_"):
            names.add(template.name)

    with template_rendered.connected_to(record, app):
        yield names


class Narrow:
    """A 320-pixel browser tab on the portal that checks every page it is shown."""

    def __init__(self, page: Page, server: str) -> None:
        self.page, self.server = page, server

    def visit(self, path: str) -> Page:
        """Open a page of the portal and check it."""
        self.page.goto(self.server + path)
        return self.check(path)

    def check(self, what: str) -> Page:
        """The page shown now fits 320 pixels, no label or cell overlaps its neighbour, and axe
        finds nothing."""
        widths = self.page.evaluate(WIDTH)
        wide = self.page.evaluate(WIDE)
        assert max(widths) <= NARROW["width"], f"{what}: {widths} px wide at 320: {wide}"
        assert self.page.evaluate(CLASHES) == [], f"{what}: boxes overlap"
        assert axe_violations(self.page) == [], f"{what}: axe"
        return self.page

    def press(self, button: Locator, what: str) -> Page:
        """Press a button that sends a form, and check the page it leads to."""
        with self.page.expect_navigation():
            button.click()
        return self.check(what)

    def submit(self, what: str) -> Page:
        """Press the submit button of the page's main form, and check the page it leads to."""
        return self.press(self.page.locator("form#page-form [type=submit]").first, what)

    def next(self, what: str) -> Page:
        """Press the form's Volgende button and check the page it leads to."""
        return self.press(
            self.page.get_by_role("button", name=re.compile("^(Volgende|Next)$")), what
        )


@contextmanager
def narrow(browser: Browser, server: str, language: str = "nl") -> Iterator[Narrow]:
    """A fresh 320 x 640 browser context (its own cookies) in Dutch or English."""
    locale = {"nl": "nl-NL", "en": "en-GB"}[language]
    context = browser.new_context(viewport=NARROW, locale=locale, timezone_id="Europe/Amsterdam")
    context.set_default_timeout(TIMEOUT_MS)
    if language == "en":
        context.add_cookies([{"name": "lang", "value": "en", "url": server}])
    try:
        yield Narrow(context.new_page(), server)
    finally:
        context.close()


@contextmanager
def provider_down(app: Flask) -> Iterator[None]:
    """Mollie unreachable while the block runs."""
    endpoint = app.config["MOLLIE_ENDPOINT"]
    app.config["MOLLIE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    try:
        yield
    finally:
        app.config["MOLLIE_ENDPOINT"] = endpoint


def test_the_walks_show_every_page_of_the_portal() -> None:
    pages = {
        str(path.relative_to(TEMPLATES))
        for path in (TEMPLATES / "portal").rglob("*.html")
        if not path.name.startswith("_")
    }
    assert pages == SIGNUP_PAGES | LOGIN_PAGES | ACCOUNT_PAGES | DESK_PAGES


def sign_up_to_review(tab: Narrow, username: str) -> None:
    """The signup's steps, each first sent empty (its errors shown), then filled in."""
    page = tab.visit("/word-lid")
    tab.next("subscription step with errors")
    page.locator("label[for=subscription-0045]").click()
    page.locator("#payment-plan label.option").first.click()
    tab.next("account step")
    tab.next("account step with errors")
    page.locator("#username").fill(username)
    page.locator("#email").fill(f"{username}@example.nl")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    tab.next("details step")
    tab.next("details step with errors")
    for field, value in {
        "initials": "M.J.",
        "prefix": "van der",
        "surname": "Dijk-Hoogeveen",
        "first_name": "Marieke",
        "birth_date": "1985-04-15",
        "postcode": "7961 AM",
        "house_number": "12",
        "street": "Dijkhuizen",
        "city": "Ruinerwold",
        "library_email": f"{username}.van.der.dijk-hoogeveen@werk.example.nl",
        "iban": "NL91 ABNA 0417 1643 00",
    }.items():
        page.locator(f"#{field}").fill(value)
    page.locator("label[for=gender-0]").click()
    page.locator("#branch").select_option("5270")
    tab.next("review step")


def pay_at_sandbox(tab: Narrow, outcome: str, what: str) -> Page:
    """Press the pay button, pick the outcome at the sandbox, check the page that comes back."""
    page = tab.page
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^(Betaal|Pay) ")).click()
    page.get_by_role("radio", name=re.compile(rf"^{outcome}\b")).check()
    with page.expect_navigation(url=re.compile(re.escape(tab.server))):
        page.get_by_role("button", name="Continue").click()
    return tab.check(what)


def pay_with_setbacks(tab: Narrow, app: Flask) -> None:
    """The review's pay button while the provider is down, then failed and unfinished payments."""
    with provider_down(app):
        tab.press(tab.page.get_by_role("button", name=re.compile("^Betaal ")), "provider down")
    tab.visit("/word-lid/controle")
    pay_at_sandbox(tab, "Failed", "payment failed")
    tab.visit("/word-lid/controle")
    pay_at_sandbox(tab, "Open", "payment pending")
    tab.visit("/word-lid/controle")


@pytest.mark.browser
def test_the_signup_and_payment_pages_reflow(
    app: Flask, portal_server: str, mollie_sandbox, shown: set[str]
) -> None:
    with chromium() as browser:
        for language in ("nl", "en"):
            with narrow(browser, portal_server, language) as tab:
                tab.visit("/")
                sign_up_to_review(tab, f"marieke-{language}")
                if language == "nl":
                    pay_with_setbacks(tab, app)
                page = pay_at_sandbox(tab, "Paid", "payment paid")
                expect(page.get_by_role("heading", level=1)).to_contain_text(
                    re.compile("betaling ontvangen|payment")
                )
                page = tab.visit(mailed_path("confirm_library_email", "/bevestigen/e-mail/"))
                confirm = re.compile("^(Bevestig mijn e-mailadres|Confirm my e-mail address)$")
                tab.press(page.get_by_role("button", name=confirm), "library e-mail confirmed")
        with narrow(browser, portal_server) as tab:
            sign_up_to_review_without_following(tab)
            expect(tab.visit("/word-lid").get_by_role("main")).to_contain_text("lid")
    assert shown == SIGNUP_PAGES


def sign_up_to_review_without_following(tab: Narrow) -> None:
    """A signup paid while the browser went elsewhere: back at the signup it is complete."""
    sign_up_to_review(tab, "marieke-elders")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=re.compile("^Betaal ")).click()
    checkout = tab.page.url
    tab.page.goto(tab.server + "/")
    requests.post(checkout, data={"status": "paid"}, allow_redirects=False, timeout=20)


def fill(page: Page, values: dict[str, str]) -> None:
    """Type into the fields with these labels (Dutch or English)."""
    for name, value in values.items():
        page.get_by_label(re.compile(f"^({name})", re.IGNORECASE)).fill(value)


LOGIN = "Inlognaam|Login name"
PASSWORD_LABEL = "Wachtwoord|Password"


def log_in_at(tab: Narrow, login: str, password: str) -> Page:
    """Log in with the form; the page it lands on, checked."""
    fill(tab.visit("/inloggen"), {LOGIN: login, PASSWORD_LABEL: password})
    return tab.submit(f"logged in as {login}")


def walk_the_login_pages(tab: Narrow, login: str) -> None:
    """Log in wrongly, forget the password, ask for a new confirmation link, a first login."""
    tab.visit("/inloggen")
    tab.submit("login with errors")
    fill(tab.page, {LOGIN: "niemand", PASSWORD_LABEL: "fout"})
    tab.submit("login refused")
    fill(tab.visit("/wachtwoord-vergeten"), {LOGIN: login})
    tab.submit("reset link sent")
    tab.visit(mailed_path("password_reset", "/wachtwoord-herstellen/"))
    tab.submit("reset with errors")
    tab.visit("/wachtwoord-herstellen/not-a-token")
    fill(tab.visit("/bevestiging-opnieuw"), {LOGIN: login})
    expect(tab.submit("confirmation sent").get_by_role("status")).to_contain_text(
        re.compile("nieuwe link|new link")
    )
    tab.visit("/bevestigen/account/not-a-token")
    tab.visit(mailed_path("confirm_account", "/bevestigen/account/"))
    log_in_at(tab, "52700000055555", DESK_PASSWORD)
    tab.submit("first login with errors")
    tab.visit("/koppelen")
    tab.submit("linking with errors")
    tab.visit("/nergens")  # the portal's 404 page, whatever it is
    tab.visit("/uitloggen")  # 405: logging out is a form


@pytest.mark.browser
def test_the_login_pages_reflow(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox, shown: set[str]
) -> None:
    patron = member(client)
    desk_member()  # card 52700000055555, a login made at the desk, never used
    with chromium() as browser:
        for language in ("nl", "en"):
            with narrow(browser, portal_server, language) as tab:
                tab.visit("/")
                walk_the_login_pages(tab, patron.login_account.username)
        with narrow(browser, portal_server) as tab:
            app.config["LOGIN_RATE_LIMIT"] = "1 per hour"
            for _ in range(2):
                fill(tab.visit("/wachtwoord-vergeten"), {LOGIN: "niemand"})
                page = tab.submit("forgot, sent")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Te veel pogingen")
    assert shown == LOGIN_PAGES


def walk_the_account_pages(tab: Narrow, language: str) -> None:
    """Mijn account and its forms, empty and filled in."""
    expect(log_in_at(tab, "marieke85", PASSWORD)).to_have_url(re.compile("/mijn-account$"))
    tab.visit("/mijn-account/wachtwoord")
    tab.submit("password change with errors")
    tab.visit("/mijn-account/e-mail")
    tab.submit("e-mail change with errors")
    fill(tab.page, {"Nieuw e-mailadres|New e-mail": f"marieke.{language}.nieuw@example.nl"})
    fill(tab.page, {"Huidig wachtwoord|Current password": PASSWORD})
    tab.submit("e-mail change asked")
    tab.visit(mailed_path("confirm_new_email", "/bevestigen/nieuw-e-mailadres/"))
    tab.visit("/balie/zuilen")  # refused: a patron is no staff


def change_and_stop_pages(tab: Narrow, patron_id: int) -> None:
    """The change page (sent empty, then a choice: its costs shown, not confirmed) and the page
    that stops the direct debit (sent empty)."""
    page = tab.visit(f"/mijn-account/{patron_id}/wijzigen")
    tab.submit("change with errors")
    page.locator('label:has(input[value="0049:direct_debit"])').click()  # dearer: today
    tab.submit("change to confirm")
    tab.visit(f"/mijn-account/{patron_id}/incasso-stoppen")
    tab.submit("stopping direct debit with errors")


def walk_the_single_sign_on_pages(tab: Narrow, client_id: str) -> None:
    """Consent, an unknown service, and a service's logout confirmed (logged out at the end)."""
    tab.visit(authorize_url(client_id))
    tab.visit("/oidc/authorize?client_id=unknown&response_type=code")
    page = tab.visit("/oidc/logout")
    tab.press(page.locator("main form [type=submit]"), "logged out by a service")


def pay_instead(tab: Narrow, path: str, language: str) -> None:
    """The page to pay a failed collection by iDEAL: paid at the sandbox, then paid already."""
    tab.visit(path)
    if language == "nl":
        pay_at_sandbox(tab, "Paid", "period paid")


def stop_membership(tab: Narrow) -> None:
    """Cancel the subscription from Mijn account (its direct debit stops with it): the form
    sent empty (its errors), then filled in; then the form refuses a second cancellation."""
    page = tab.visit("/mijn-account")
    link = page.get_by_role("link", name=re.compile("^(Cancel my|Mijn abonnement) "))
    tab.press(link, "cancel form")
    form = page.url.removeprefix(tab.server)
    tab.submit("cancelling with errors")
    page.locator("label[for=when-0]").click()
    page.locator("#reason").select_option("verhuisd")
    tab.submit("subscription cancelled")
    tab.visit(form)  # nothing left to cancel


def mail_pages(tab: Narrow, app: Flask) -> None:
    """The development pages of the mails written to disk."""
    assert app.test_cli_runner().invoke(args=["mail", "send"]).exit_code == 0
    page = tab.visit("/dev/mail")
    tab.press(page.locator("main table a").first, "a mail written to disk")


@pytest.mark.browser
def test_the_account_staff_and_single_sign_on_pages_reflow(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,
    shown: set[str],
) -> None:
    patron = member(client, plan="direct_debit")
    give_card(patron, "52700000012345")
    give_card(patron, "52700000099999", "secondary")
    service = add_service(app)
    add_kiosk_with_checks(app, client, patron)
    pay_link = failed_collection(patron, mollie_sandbox)
    with chromium() as browser:
        for language in ("nl", "en"):
            with narrow(browser, portal_server, language) as tab:
                walk_the_account_pages(tab, language)
                pay_instead(tab, pay_link, language)
                change_and_stop_pages(tab, patron.id)
                if language == "en":
                    stop_membership(tab)
                walk_the_single_sign_on_pages(tab, service["client_id"])
            with narrow(browser, portal_server, language) as tab:
                log_in_staff(tab, app, new_browser(), f"balie-{language}", "desk")
                tab.visit("/balie/zuilen")
                register_at_the_desk(tab)
                mail_pages(tab, app)
    assert shown == ACCOUNT_PAGES


def register_at_the_desk(tab: Narrow) -> None:
    """The desk's form for a new patron: sent empty (its errors), then with the details of the
    member (likely duplicates shown)."""
    page = tab.visit("/balie/klanten/nieuw")
    tab.submit("desk registration with errors")
    page.locator("label[for=gender-0]").click()
    for name, value in details_data(iban="", library_email="").items():
        if name not in ("gender", "branch", "country"):
            page.locator(f"#{name}").fill(value)
    page.locator("#branch").select_option("5270")
    page.locator("#subscription").select_option("0045")
    tab.submit("desk registration with likely duplicates")


def add_kiosk_with_checks(app: Flask, client: FlaskClient, patron: Patron) -> None:
    """A kiosk that reported its devices and checked an ID document that did not match."""
    kiosk = KioskApi(client, register_kiosk(app))
    devices = {
        "card_reader": "ok",
        "document_reader": "ok",
        "printer": "paper_low",
        "scanner": "ok",
    }
    kiosk.call("POST", "/heartbeat", body={"software": "0.1.0", "devices": devices})
    ticket = kiosk.ticket(patron)
    kiosk.call(
        "POST", "/id-checks", ticket, {**PASSPORT, "surname": "NIET", "birth_date": "1990-01-01"}
    )


def failed_collection(patron: Patron, sandbox) -> str:  # noqa: ANN001
    """The direct debit of the next period fails; the path of the link in the mail about it."""
    schedule = db.session.get_one(Subscription, patron.subscriptions[0].id).mollie_subscription_id
    sandbox.charge(schedule, "failed")
    return mailed_path("direct_debit_failed", "/betalen/")


def log_in_staff(tab: Narrow, app: Flask, client: FlaskClient, username: str, role: str) -> None:
    """A staff member of this role, logged in by `desk_session` on a test client with the tab's
    user agent (the portal ties a session to address and user agent); its cookie in the tab."""
    client.environ_base["HTTP_USER_AGENT"] = tab.page.evaluate("navigator.userAgent")
    desk_session(app, client, username, role)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    tab.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": tab.server}])


@pytest.mark.browser
def test_the_desk_pages_reflow(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,
    shown: set[str],
    clock: ManualClock,
) -> None:
    patron = member(client, plan="direct_debit")
    give_card(patron, "52700000012345")
    add_kiosk_with_checks(app, client, patron)
    renewal_letter(app, new_browser(), clock, username="zonder-mail", email="z@example.nl")
    once = member(new_browser(), username="jan-eenmalig", email="jan@example.nl")
    debtor = create_patron(db.session, None, now(), subscription="0045")
    leaving = create_patron(db.session, None, now(), names=("K.", "", "Weg", "Kees"))
    db.session.commit()
    add_desk(app, "BALIE-HAL", "--terminal", DESK_TERMINAL)
    load_directory(db.session)
    db.session.commit()
    with chromium() as browser:
        for language in ("nl", "en"):
            with narrow(browser, portal_server, language) as tab:
                staff = new_browser()
                log_in_staff(tab, app, staff, f"coordinator-{language}", "coordinator")
                tab.visit("/balie/klanten?q=Vries")
                tab.visit("/balie/klanten?q=Niemandsland")
                tab.visit("/balie/klanten/52700000012345")
                cancel_and_withdraw_at_the_desk(tab)
                change_to_direct_debit_at_the_desk(tab, once.temporary_number, language)
                tab.visit("/balie/klanten/0000")
                tab.visit("/balie/klanten/52700000012345/abonnement-status")
                tab.submit("refusal with errors")
                tab.visit("/balie/audit")
                tab.visit("/balie/audit?staff=niemand")
                letters = tab.visit("/balie/brieven")
                if language == "en":  # printed: the queue empty, the letter in the second list
                    mark_all = letters.get_by_role("button", name="Mark all these letters printed")
                    tab.press(mark_all, "letters marked printed")
                tab.visit("/balie/medewerkers")
                tab.visit("/balie/tweede-stap?next=/balie/medewerkers")
                charge(app, debtor, "12.50", "Boete", f"boete-{language}")
                money_at_the_desk(tab, debtor, mollie_sandbox)
                charge(app, once, "100.00", "Vervangen boek", f"boek-{language}")
                pay_link_paid(tab, once)
                records_at_the_desk(tab, debtor, leaving.temporary_number)
                erase_at_the_desk(tab, debtor, leaving)
                register_a_guest_at_the_desk(
                    tab, {"nl": "0830123450", "en": "0830123451"}[language]
                )
    assert shown == DESK_PAGES


def register_a_guest_at_the_desk(tab: Narrow, card: str) -> None:
    """The desk's form for a guest: sent empty (its errors), the card's library found by its
    number, the details taken from the ID document (no connection to that library is set up),
    sent empty then filled in, and the guest's screen."""
    page = tab.visit("/balie/gastleners/nieuw")
    tab.submit("guest registration with errors")
    page.locator("#card_number").fill(card)
    tab.press(
        page.get_by_role("button", name=re.compile("^(Bibliotheek zoeken|Find the library)$")),
        "guest's library found",
    )
    page.locator("#branch").select_option("5270")
    register = page.get_by_role(
        "button", name=re.compile("^(Gastlener inschrijven|Register guest)$")
    )
    tab.press(register, "guest's own library cannot be asked")
    tab.press(register, "guest's details with errors")
    for name, value in details_data(iban="", library_email="").items():
        if name not in ("gender", "branch", "country", "iban", "newsletter"):
            page.locator(f"#d-{name}").fill(value)
    page.locator("label[for=d-gender-0]").click()
    tab.press(register, "guest registered")


def money_at_the_desk(tab: Narrow, patron: Patron, sandbox) -> None:  # noqa: ANN001
    """The desk chosen (sent empty first), a payment taken (a wrong amount first) in cash and
    on the PIN terminal (waiting, then paid), a charge waived and a payment refunded (both sent
    wrong), and the day report (and a day that is no date)."""
    page = tab.visit(money_page(patron))  # no desk chosen yet: to the choice
    tab.submit("desk choice with errors")
    page.locator("label[for=desk-0]").click()
    tab.submit("back to taking a payment")
    page.locator("#amount").fill("twaalf")
    tab.submit("taking a payment with errors")
    page.locator("#amount").fill("2,50")
    page.locator("label[for=means-0]").click()
    tab.submit("cash taken")
    paid_on_the_terminal(tab, patron, sandbox)
    page = tab.visit(money_page(patron, "kwijtschelden"))
    tab.submit("waiving with errors")
    cash = desk_payments(patron)[0]
    page = tab.visit(money_page(patron, f"terugbetalen/{cash.reference}"))
    page.locator("#amount").fill("1000")
    tab.submit("refund with errors")
    expect(tab.visit("/balie/dagrapport").get_by_role("table").first).to_be_visible()
    tab.visit("/balie/dagrapport?datum=gisteren")


def paid_on_the_terminal(tab: Narrow, patron: Patron, sandbox) -> None:  # noqa: ANN001
    """A euro on the desk's terminal: its page while it waits (the page's own rechecks held
    still), then once the sandbox's terminal says paid."""
    page = tab.visit(money_page(patron))
    page.locator("#amount").fill("1")
    page.locator("label[for=means-1]").click()
    page.clock.install()
    tab.submit("waiting for the terminal")
    page.clock.resume()
    sandbox.set_status(desk_payments(patron)[-1].provider_id or "", "paid")
    expect(tab.visit(page.url.removeprefix(tab.server)).get_by_role("status")).to_contain_text(
        re.compile("Betaald|Paid")
    )


def pay_link_paid(tab: Narrow, patron: Patron) -> None:
    """A payment link mailed by the desk, paid at the sandbox: the page the patron lands on."""
    page = tab.visit(money_page(patron))
    page.locator("label[for=means-2]").click()
    tab.submit("pay link mailed")
    page.goto(desk_payments(patron)[-1].checkout_url or "")
    page.get_by_role("radio", name=re.compile(r"^Paid\b")).check()
    with page.expect_navigation(url=re.compile(re.escape(tab.server))):
        page.get_by_role("button", name="Continue").click()
    tab.check("pay link paid")


def desk_payments(patron: Patron) -> list[Payment]:
    """The patron's payments taken at a desk, oldest first."""
    db.session.expire_all()
    query = select(Payment).where(Payment.patron_id == patron.id, Payment.desk_id.is_not(None))
    return list(db.session.scalars(query.order_by(Payment.id)))


def records_at_the_desk(tab: Narrow, patron: Patron, other: str) -> None:
    """A card scanned wrongly, a login made with a wrong address and looked for with nothing,
    the patron's data sent without a surname, merging (an unknown number, then the comparison
    sent after the records changed), what is held (to read) and erasing (sent unticked)."""
    number = patron.temporary_number
    page = tab.visit(f"/balie/klanten/{number}/pas-scannen")
    page.locator("#card_number").fill("123")
    tab.submit("scanning a card with errors")
    page = tab.visit(f"/balie/klanten/{number}/inlogaccount/nieuw")
    page.locator("#email").fill("geen-adres")
    tab.submit("making a login with errors")
    tab.visit(f"/balie/klanten/{number}/inlogaccount/koppelen")
    tab.submit("linking a login with errors")
    page = tab.visit(f"/balie/klanten/{number}/gegevens")
    page.locator("#surname").fill("")
    tab.submit("patron data with errors")
    tab.visit(f"/balie/klanten/{number}/samenvoegen?met=0000")
    page = tab.visit(f"/balie/klanten/{number}/samenvoegen/{other}")
    page.locator("input[name=shown]").evaluate("(field) => { field.value = 'changed'; }")
    expect(tab.submit("merging after a change").get_by_role("alert")).to_be_visible()
    tab.visit(f"/balie/klanten/{number}/inzage")


def erase_at_the_desk(tab: Narrow, debtor: Patron, leaving: Patron) -> None:
    """Erasing a patron who still owes (why not yet), and one who may go (sent unticked)."""
    tab.visit(f"/balie/klanten/{debtor.temporary_number}/wissen")
    tab.visit(f"/balie/klanten/{leaving.temporary_number}/wissen")
    tab.press(
        tab.page.get_by_role("button", name=re.compile("^(Klant wissen|Erase the patron)$")),
        "erasing with errors",
    )


def cancel_and_withdraw_at_the_desk(tab: Narrow) -> None:
    """The desk's cancel form sent empty (its errors), then filled in (at the end of the
    period); the same page then offers the withdrawal, which is pressed."""
    page = tab.visit("/balie/klanten/52700000012345/opzeggen")
    tab.submit("desk cancelling with errors")
    page.locator("label[for=when-0]").click()
    page.locator("#reason").select_option("overleden")
    tab.submit("cancelled at the desk")
    page = tab.visit("/balie/klanten/52700000012345/opzeggen")
    withdraw = page.get_by_role("button", name=re.compile("^(Opzegging intrekken|Withdraw)"))
    tab.press(withdraw, "cancellation withdrawn")


def change_to_direct_debit_at_the_desk(tab: Narrow, number: str, language: str) -> None:
    """The desk's change page sent empty, then once-paid Basis changed to direct debit: its
    costs confirmed, and its first payment paid on the desk's screen (the page it comes back
    to); in English the page shows the change planned."""
    page = tab.visit(f"/balie/klanten/{number}/wijzigen")
    if language == "en":
        return
    tab.submit("desk change with errors")
    page.locator('label:has(input[value="0045:direct_debit"])').click()
    tab.submit("desk change to confirm")
    tab.submit("desk change waiting for its first payment")
    with page.expect_navigation():
        page.get_by_role("button", name="De klant betaalt op dit scherm").click()
    page.get_by_role("radio", name=re.compile(r"^Paid\b")).check()
    with page.expect_navigation(url=re.compile(re.escape(tab.server))):
        page.get_by_role("button", name="Continue").click()
    tab.check("change paid")


@pytest.mark.browser
def test_a_desk_member_reaches_each_section_of_the_patron_screen_by_keyboard(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    with chromium() as browser, narrow(browser, portal_server) as tab:
        log_in_staff(tab, app, new_browser(), "balie", "desk")
        page = tab.visit(f"/balie/klanten/{patron.temporary_number}")
        for link, heading in (
            ("Passen", "cards"),
            ("Handelingen van medewerkers", "staff-actions"),
        ):
            page.keyboard.press("Home")
            page.evaluate("document.activeElement.blur()")
            tab_to(page, page.get_by_role("link", name=link, exact=True))
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(f"#{heading}$"))
            assert page.evaluate("document.activeElement.id") == heading
        assert page.evaluate("document.activeElement.textContent") == "Handelingen van medewerkers"
