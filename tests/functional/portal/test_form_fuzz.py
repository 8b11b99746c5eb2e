"""No form of the portal answers a server error, whatever its fields hold, and nothing it stores
holds control or direction characters or more than its column keeps.

Each form is sent as a browser in the right state would send it (on its page, logged in or in
the signup step it belongs to, with the page's CSRF token), filled in with valid values and then
up to three fields spoiled (tests/support/fuzz.py): nothing, white space, any unicode, C0/C1
controls, direction overrides, NUL, 100,000 characters, bytes that are not UTF-8; the CSRF token
and the language button's field are spoiled the same way. The app runs with TESTING on: an
uncaught exception fails the test outright instead of becoming a 500. After every request the
whole database is read back.

A form is a POST route of the portal; `test_every_form_of_the_portal_is_fuzzed` keeps this list
equal to the routes, so a new form without fuzzing fails. Not forms, and tested elsewhere: the
kiosk API (JSON; test_kiosk_api_*, with schemathesis in test_kiosk_api_fuzz), the payment
provider's webhooks (test_payment_chaos, test_direct_debit) and the single sign-on endpoints
that programs call, /oidc/token and /oidc/userinfo (test_oidc, test_oidc_fuzz). The consent and
logout forms of single sign-on are fuzzed here in their own fields; the OAuth parameters of the
request they answer are test_oidc_fuzz's.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from portal.extensions import db
from portal.wiring import mail_settings, now, payment_provider
from shared.accounts.email_change import request_library_email_change
from shared.cards.numbers import luhn_check_digit
from shared.clock import ManualClock
from shared.desk import merge_sides
from shared.desk.patron_data import PatronData, data_of, fingerprint
from shared.memberships.cancellation import Cancellation, CancelWhen, cancel_subscription
from shared.memberships.change import Target, change_subscription
from shared.models.account import LoginAccount
from shared.models.card import Card, CardRole, CardStatus
from shared.models.desk import Desk
from shared.models.membership import Letter
from shared.models.patron import Patron, PaymentPlan, Subscription, SubscriptionStatus
from shared.models.payment import Payment
from shared.patrons.lookup import find_patron_by_any_number
from shared.text import max_length
from tests.functional.portal.test_desk_cards import card_number
from tests.functional.portal.test_first_login import DESK_PASSWORD, NEW, answers, desk_member
from tests.functional.portal.test_letters import renewal_letter
from tests.support.accounts import (
    PASSWORD,
    create_staff,
    give_card,
    log_in,
    mailed_path,
    member,
)
from tests.support.databases import only_on_sqlite
from tests.support.desk_money import DESK_TERMINAL, add_desk, charge, choose_desk, take
from tests.support.factories import create_account, create_card, create_patron
from tests.support.fuzz import Value, filled_in, insert, spoiled, stored_text_problems
from tests.support.oidc import LOGOUT_URI, add_service, authorize_url
from tests.support.signup import account_data, choose, csrf_token, details_data, submit
from tests.support.staff import SECOND_STEP, desk_session

# Bounded so the whole module runs in about a minute on a loaded machine with two cores.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORM_TYPE = "application/x-www-form-urlencoded"
PASSWORDS = [PASSWORD, NEW]  # a fuzzed form may change the password to the other
MEMBER_CARD = "52700000012345"  # marieke85's main card
LOGINS = ["marieke85", "marieke@example.nl", MEMBER_CARD, "{customer}", "niemand"]
# The paths of POST routes that are no form of a page (see the module's docstring).
NOT_FORMS = ("/api/", "/betalingen/webhook/", "/oidc/token", "/oidc/userinfo")


@dataclass
class Visit:
    """A patron's browser on the portal, and what the form's setup made."""

    app: Flask
    new_browser: Callable[[], FlaskClient]
    clock: ManualClock
    sandbox: Any
    made: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = self.new_browser()


@dataclass(frozen=True)
class Form:
    """A form: its route, the valid values of its fields (a value may name what the setup
    made, like "{service}"), how a browser gets to it (its page and where it posts), what
    must exist first, and which fields its page puts in the action's address instead of the
    body (the action names them: "/passen/{card_number}/blokkeren")."""

    endpoint: str
    fields: Mapping[str, Sequence[Value]]
    reach: Callable[[Visit], tuple[str, str]]
    setup: Callable[[Visit], None] = lambda visit: None
    path: Sequence[str] = ()

    def sent(self, action: str, values: Mapping[str, Value]) -> tuple[str, dict[str, Value]]:
        """Where the form is sent, its path fields in the address (percent-encoded, as a
        browser sends what a page put there), and the fields of its body."""
        body = {name: value for name, value in values.items() if name not in self.path}
        if not self.path:
            return action, body
        parts = {name: quote(values[name] or "", safe="") for name in self.path}
        return action.format(**parts), body

    def values(self, made: Mapping[str, Any], token: str) -> st.SearchStrategy[dict[str, Value]]:
        """The fields filled in, with the language button's field and the page's CSRF token
        (spoiled now and then: most requests should get past it)."""
        fields = {
            name: [value.format(**made) if isinstance(value, str) else value for value in valid]
            for name, valid in self.fields.items()
        }
        language = {"switch_language": [None, None, None, "en"]}
        csrf = st.sampled_from([True] * 7 + [False]).flatmap(
            lambda valid: st.just(token) if valid else spoiled(token)
        )
        return st.builds(
            lambda values, token: {**values, "csrf_token": token},
            filled_in(fields | language),
            csrf,
        )


def at(page: str, action: str | None = None) -> Callable[[Visit], tuple[str, str]]:
    """A form anyone reaches on a page."""
    return lambda visit: (page, action or page)


def logged_in(visit: Visit, logins: Sequence[str] = ("marieke85",)) -> None:
    """Logged in, with whichever password the account has now; a locked account waits."""
    if visit.client.get("/mijn-account").status_code == 200:
        return
    for _attempt in range(2):
        for login in logins:
            for password in PASSWORDS:
                if log_in(visit.client, login, password).status_code == 303:
                    return
        visit.clock.advance(timedelta(hours=2))  # the login throttle's lock has passed
    raise AssertionError(f"none of {logins} can log in")


def logged_in_at(page: str, action: str | None = None) -> Callable[[Visit], tuple[str, str]]:
    """A form of a logged-in patron (its page and action may name the patron's id: "{patron}")."""

    def reach(visit: Visit) -> tuple[str, str]:
        logged_in(visit)
        return page.format(**visit.made), (action or page).format(**visit.made)

    return reach


def a_member(plan: str | None = None) -> Callable[[Visit], None]:
    """A paying patron (marieke85) with a card."""

    def setup(visit: Visit) -> None:
        patron = member(visit.new_browser(), plan=plan)
        give_card(patron, MEMBER_CARD)
        visit.made |= {"patron": patron.id, "customer": patron.customer_number}

    return setup


def signup_step(path: str, steps: int) -> Callable[[Visit], tuple[str, str]]:
    """A signup step, after the steps before it (done again when a fuzzed form left them)."""

    def reach(visit: Visit) -> tuple[str, str]:
        if visit.client.get(path).status_code != 200:
            done = [
                lambda: choose(visit.client),
                lambda: submit(visit.client, "/word-lid/account", account_data()),
                lambda: submit(visit.client, "/word-lid/gegevens", details_data()),
            ]
            for step in done[:steps]:
                assert step().status_code == 303
        return path, path

    return reach


def review_page(visit: Visit) -> tuple[str, str]:
    """The signup's review, with the pay button."""
    page, _action = signup_step("/word-lid/controle", 3)(visit)
    return page, "/word-lid/betalen"


def first_login(visit: Visit) -> tuple[str, str]:
    """The first login's form: log in with the desk's password again, made anew if a fuzzed
    form completed the first login."""
    if visit.client.get("/eerste-keer").status_code != 200:
        account = LoginAccount.id == visit.made["desk"]
        db.session.execute(
            update(LoginAccount).where(account).values(email=None, pending_email=None)
        )
        db.session.commit()
        for password in (DESK_PASSWORD, NEW):
            if log_in(visit.client, "52700000055555", password).status_code == 303:
                break
    return "/eerste-keer", "/eerste-keer"


def desk_made(visit: Visit) -> None:
    """A login the desk made: card 52700000055555, no e-mail yet."""
    account, patron = desk_member()
    visit.made |= {"desk": account.id, "surname": patron.surname}


def reset_link(visit: Visit) -> tuple[str, str]:
    """The newest password reset link; a new one when a fuzzed form used it."""
    link = visit.made.get("reset")
    if link is None or visit.client.get(link).status_code != 200:
        visit.clock.advance(timedelta(minutes=20))  # one mail a quarter of an hour
        submit(visit.client, "/wachtwoord-vergeten", {"login": "marieke85"})
        link = visit.made["reset"] = mailed_path("password_reset", "/wachtwoord-herstellen/")
    return link, link


def library_email_link(visit: Visit) -> tuple[str, str]:
    """The page of a link to confirm a new library e-mail (it keeps working once confirmed)."""
    link = visit.made.get("confirm")
    if link is None:
        patron = db.session.get_one(Patron, visit.made["patron"])
        request_library_email_change(
            db.session, patron, "nieuw@example.org", mail_settings(), now()
        )
        db.session.commit()
        link = visit.made["confirm"] = mailed_path("confirm_library_email", "/bevestigen/e-mail/")
    return link, link


def two_members(visit: Visit) -> None:
    """marieke85, and another login with a membership of its own to link with."""
    a_member()(visit)
    member(visit.new_browser(), username="anna-elders", email="anna@example.nl")


def link_page(visit: Visit) -> tuple[str, str]:
    """Linking: logged in as whichever login is left (linking removes the other)."""
    logged_in(visit, ("marieke85", "anna-elders"))
    return "/koppelen", "/koppelen"


def failed_collection(visit: Visit) -> None:
    """A direct debit that failed: the mail's link to pay the period by iDEAL."""
    a_member("direct_debit")(visit)
    patron = db.session.get_one(Patron, visit.made["patron"])
    subscription = db.session.get_one(Subscription, patron.subscriptions[0].id)
    visit.sandbox.charge(subscription.mollie_subscription_id, "failed")
    visit.made["pay"] = mailed_path("direct_debit_failed", "/betalen/")


def pay_page(visit: Visit) -> tuple[str, str]:
    """The page to pay a failed collection."""
    return visit.made["pay"], visit.made["pay"]


def with_service(visit: Visit) -> None:
    """A member and a single sign-on service."""
    a_member()(visit)
    visit.made["service"] = add_service(visit.app)["client_id"]


def consent_page(visit: Visit) -> tuple[str, str]:
    """The consent page, which prompt=consent shows every time."""
    logged_in(visit)
    url = authorize_url(visit.made["service"], prompt="consent")
    return url, url


def logout_page(visit: Visit) -> tuple[str, str]:
    """A service's logout, confirmed on the portal's own page."""
    logged_in(visit)
    query = urlencode({"client_id": visit.made["service"], "post_logout_redirect_uri": LOGOUT_URI})
    return f"/oidc/logout?{query}", "/oidc/logout"


def a_staff_member(visit: Visit) -> None:
    """A desk member made by the command (balie), with their one-time password."""
    visit.made["staff_password"] = create_staff(visit.app)["password"]


def second_step(visit: Visit) -> tuple[str, str]:
    """The staff login's second step, after the password (again when the few minutes passed)."""
    if visit.client.get(SECOND_STEP).status_code != 200:
        assert log_in(visit.client, "balie", visit.made["staff_password"]).status_code == 303
    return SECOND_STEP, SECOND_STEP


def at_the_desk(
    page: str, action: str | None = None, role: str = "desk"
) -> Callable[[Visit], tuple[str, str]]:
    """A staff form: a staff member of this role logged in, their code typed then (once per
    visit: no fuzzed form logs out, the clock stands still); the page and action may name what
    the setup made ("{customer}"), the action its path fields ("{{card_number}}")."""

    def reach(visit: Visit) -> tuple[str, str]:
        if "staff" not in visit.made:
            desk_session(visit.app, visit.client, role=role)
            visit.made["staff"] = True
        return page.format(**visit.made), (action or page).format(**visit.made)

    return reach


def a_letter(visit: Visit) -> None:
    """A letter in the desk's print queue, for a member without an e-mail address."""
    patron = renewal_letter(visit.app, visit.new_browser(), visit.clock)
    visit.made["letter"] = db.session.scalars(
        select(Letter.id).where(Letter.patron_id == patron.id)
    ).one()


def a_patron(status: SubscriptionStatus) -> Callable[[Visit], None]:
    """A patron with a Basis subscription in this status, as the desk finds them."""

    def setup(visit: Visit) -> None:
        patron = create_patron(db.session, None, now(), subscription="0045")
        patron.subscriptions[0].status = status
        db.session.commit()
        visit.made["customer"] = patron.customer_number

    return setup


def a_patron_as_shown(visit: Visit) -> None:
    """A patron whose data the desk changes, with the fingerprint of the data as shown."""
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    visit.made |= {"customer": patron.customer_number, "seen": fingerprint(data_of(patron))}


def a_youth_member(visit: Visit) -> None:
    """A youth member, whom the desk may move on to the adult subscription."""
    patron = create_patron(
        db.session, None, now(), birth_date=date(2010, 5, 6), subscription="jeugd"
    )
    db.session.commit()
    visit.made["customer"] = patron.customer_number


def cancelled_at_the_end(visit: Visit) -> None:
    """A member who cancelled at the end of the period, which the desk may withdraw."""
    a_member()(visit)
    patron = db.session.get_one(Patron, visit.made["patron"])
    moving = Cancellation(CancelWhen.END_OF_PERIOD, "verhuisd")
    cancel_subscription(db.session, patron, moving, payment_provider(), now())
    db.session.commit()


def awaiting_its_payment(visit: Visit) -> None:
    """A member whose change to a monthly direct debit waits for its first payment."""
    a_member()(visit)
    patron = db.session.get_one(Patron, visit.made["patron"])
    debit = Target("0049", PaymentPlan.DIRECT_DEBIT)
    change_subscription(db.session, patron, debit, payment_provider(), now())
    db.session.commit()


SECONDARY_CARD = "52700000067890"  # marieke85's secondary card, when the form needs one


def a_member_with_cards(visit: Visit) -> None:
    """marieke85 with a main card, and another patron's card (a number taken)."""
    a_member()(visit)
    other = create_patron(db.session, None, now(), subscription="0045")
    visit.made["taken"] = create_card(db.session, other, now()).number
    db.session.commit()


def card_numbered(number: str) -> Card | None:
    """The card of this number, as stored now."""
    return db.session.scalar(select(Card).where(Card.number == number))


def cards_as_at_first(visit: Visit, main: CardStatus) -> None:
    """marieke85's main card in this status and an active secondary card beside it (made again
    when a fuzzed form deleted them)."""
    db.session.expire_all()
    patron = db.session.get_one(Patron, visit.made["patron"])
    card = card_numbered(MEMBER_CARD) or give_card(patron, MEMBER_CARD)
    secondary = card_numbered(SECONDARY_CARD) or give_card(
        patron, SECONDARY_CARD, CardRole.SECONDARY
    )
    card.status, card.status_reason = main, None if main == CardStatus.ACTIVE else "damaged"
    secondary.status, secondary.status_reason = CardStatus.ACTIVE, None
    secondary.main_card_id = card.id
    patron.lending_blocked = main != CardStatus.ACTIVE
    db.session.commit()


def card_button(action: str, main: CardStatus) -> Callable[[Visit], tuple[str, str]]:
    """A card's button on the patron screen (the card's number in the address), the cards as
    at first with the main card in this status."""
    desk = at_the_desk(CARD_SCREEN, f"{CARD_SCREEN}/passen/{{{{card_number}}}}/{action}")

    def reach(visit: Visit) -> tuple[str, str]:
        cards_as_at_first(visit, main)
        return desk(visit)

    return reach


def owing_at_a_desk(visit: Visit) -> None:
    """A member (marieke85) owing a € 12.50 fee, and a desk with a PIN terminal."""
    a_member()(visit)
    patron = db.session.get_one(Patron, visit.made["patron"])
    charge(visit.app, patron, "12.50", "Te laat", "fee-1")
    visit.made["desk"] = add_desk(visit.app, "BALIE-HAL", "--terminal", DESK_TERMINAL).id


def at_our_desk(page: str, action: str | None = None) -> Callable[[Visit], tuple[str, str]]:
    """A money form: a desk member logged in and working at the desk (chosen once a visit)."""

    def reach(visit: Visit) -> tuple[str, str]:
        if "chosen" not in visit.made:
            at_the_desk(page)(visit)
            desk = db.session.get_one(Desk, visit.made["desk"])
            visit.made["chosen"] = choose_desk(visit.client, desk).status_code == 303
        return page.format(**visit.made), (action or page).format(**visit.made)

    return reach


def wrong_check_digit(number: str) -> str:
    """The number with another check digit (a misread barcode)."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def a_record(subscription: str | None = None) -> Patron:
    """A patron with a main card (and a subscription of this code, when named)."""
    patron = create_patron(db.session, None, now(), subscription=subscription)
    create_card(db.session, patron, now())
    db.session.commit()
    return patron


def records_to_merge(visit: Visit) -> None:
    """A member with a card, a duplicate record of theirs, and another member (merging the two
    members is refused: both subscriptions run)."""
    kept, conflicting = a_record("0045"), a_record("0045")
    visit.made |= {"kept": kept.id, "customer": kept.customer_number}
    visit.made["conflicting"] = conflicting.customer_number
    a_duplicate(visit)


def a_duplicate(visit: Visit) -> None:
    """A duplicate of the member not merged yet (with a phone number, no subscription; another
    when a fuzzed form merged it), and the fingerprint of what the comparison shows."""
    db.session.expire_all()
    other = db.session.get(Patron, visit.made.get("duplicate", 0))
    if other is None or other.merged_into_id is not None:
        other = a_record()
        other.phone = "0687654321"
        db.session.commit()
    kept = db.session.get_one(Patron, visit.made["kept"])
    sides = [merge_sides.side_of(db.session, patron) for patron in (kept, other)]
    visit.made |= {"duplicate": other.id, "other": other.customer_number}
    visit.made["shown"] = merge_sides.fingerprint(*sides)


def merge_page(visit: Visit) -> tuple[str, str]:
    """The comparison with a duplicate not merged yet."""
    a_duplicate(visit)
    return at_the_desk(MERGE_PAGE, MERGE_ACTION)(visit)


def records_to_erase(visit: Visit) -> None:
    """A patron who may be erased, and one whose subscription runs (not erased yet)."""
    visit.made["running"] = a_record("0045").customer_number
    an_erasable_patron(visit)


def an_erasable_patron(visit: Visit) -> None:
    """A patron who may be erased (another when a fuzzed form erased them)."""
    if find_patron_by_any_number(db.session, visit.made.get("customer", "")) is None:
        visit.made["customer"] = a_record().customer_number


def erase_page(visit: Visit) -> tuple[str, str]:
    """Erasing a patron who may be erased, as a coordinator."""
    an_erasable_patron(visit)
    return at_the_desk(ERASE_PAGE, ERASE_ACTION, "coordinator")(visit)


def taken_at_our_desk(
    means: str, page: str, action: str = ""
) -> Callable[[Visit], tuple[str, str]]:
    """A form about the payment the desk took by these means first (its page names it:
    "{payment}"; `action` is added to the page's path)."""

    def reach(visit: Visit) -> tuple[str, str]:
        at_our_desk(DESK_MONEY)(visit)
        if "payment" not in visit.made:
            take(visit.client, db.session.get_one(Patron, visit.made["patron"]), means=means)
            taken = select(Payment.reference).where(Payment.desk_id.is_not(None))
            visit.made["payment"] = db.session.scalars(taken).one()
        shown = page.format(**visit.made)
        return shown, shown + action

    return reach


CHANGE_PAGE = "/balie/klanten/{customer}/wijzigen"
DESK_MONEY = "/balie/klanten/{customer}/"
CHANGE = {"target": ["0053:once", "0049:direct_debit", "0045:once", "0053:cash", ""]}
CHANGE |= {"confirmed": [None, "1"]}
DETAILS = {name: [str(value)] for name, value in details_data().items()} | {
    "birth_date": ["1985-04-15", "1950-02-28"],
    "country": ["NL", "BE"],
    "library_email": ["", "werk@example.nl"],
    "iban": ["", "NL91 ABNA 0417 1643 00"],
    "newsletter": [None, "y"],
}
PATRON_DATA = {name: DETAILS[name] for name in PatronData.__dataclass_fields__ if name in DETAILS}
PATRON_DATA |= {"language": ["nl", "en"], "branch": ["5270", "9401"], "seen": ["{seen}", "0"]}
REFUSAL_PAGE = "/balie/klanten/{customer}/abonnement-status"
BLANK_CARD = "252700012345" + luhn_check_digit("252700012345")
DESK_REGISTRATION = DETAILS | {
    "initials": ["M.J.", ""],
    "birth_date": ["1985-04-15", "", "2015-06-01"],
    "gender": ["vrouw", "onbekend", "instelling"],
    "subscription": ["0045", "0021", "0141", ""],
    "id_checked": [None, "y"],
    "login": [None, "y"],
    "library_email": ["", "werk@example.nl"],
    "card_number": ["", BLANK_CARD],
    "passed_duplicates": ["", "1"],
    "create_anyway": [None, "1"],
}
# A guest: the card, its library (one its number leaves no choice of, the own library without a
# connection: the details from the ID document, in their form's "d-" fields), the desk's choices.
GUEST_REGISTRATION = {f"d-{name}": values for name, values in DETAILS.items() if name != "branch"}
GUEST_REGISTRATION |= {
    "card_number": ["0830123456", "28415000012345"],
    "isil": ["NL-083485", "", "NL-999999"],
    "library_search": ["", "Nieuwe"],
    "branch": ["5270", "9401"],
    "id_checked": [None, "y"],
    "existing_login": ["", "nobody"],
    "unverified": ["", "1"],
    "find": [None, "1"],
    "submit": ["1"],
}
LOGIN_PAGES = "/balie/klanten/{customer}/inlogaccount"
CARD_SCREEN = "/balie/klanten/{customer}"
UNKNOWN_CARD = card_number(999)
SCANNED = {
    "kind": ["add", "replace", "secondary"],
    "reason": ["damaged", "lost", "stolen", "other"],
    "card_number": [
        card_number(901),
        card_number(902),
        MEMBER_CARD,
        "{taken}",
        wrong_check_digit(card_number(903)),
    ],
}
CARD_IN_ADDRESS = {"card_number": [MEMBER_CARD, SECONDARY_CARD, "{taken}", UNKNOWN_CARD]}
MERGE_PAGE = "/balie/klanten/{customer}/samenvoegen/{other}"
MERGE_ACTION = "/balie/klanten/{customer}/samenvoegen/{{other}}"
MERGE = {name: ["this", "other"] for name in ("surname", "phone", "library_email", "main_card")}
MERGE |= {"shown": ["{shown}", "0"], "other": ["{other}", "{conflicting}", "{customer}"]}
ERASE_PAGE = "/balie/klanten/{customer}/wissen"
ERASE_ACTION = "/balie/klanten/{{number}}/wissen"
FORMS = [
    Form(
        "signup.choose",
        {"subscription": ["0045", "0049", "jeugd"], "payment_plan": [None, "once", "direct_debit"]},
        at("/word-lid"),
    ),
    Form(
        "signup.account",
        {name: [value] for name, value in account_data().items()},
        signup_step("/word-lid/account", 1),
    ),
    Form("signup.details", DETAILS, signup_step("/word-lid/gegevens", 2)),
    Form("signup.pay", {}, review_page),
    Form("login.login", {"login": LOGINS, "password": PASSWORDS}, at("/inloggen"), a_member()),
    Form(
        "login.first_login",
        {name: [value] for name, value in answers().items()}
        | {"surname": ["{surname}", "van 't {surname}"]},
        first_login,
        desk_made,
    ),
    Form(
        "login.link_login",
        {"login": ["anna-elders", "marieke85"], "password": PASSWORDS},
        link_page,
        two_members,
    ),
    Form("login.logout", {}, logged_in_at("/mijn-account", "/uitloggen"), a_member()),
    Form("confirm.confirm_library_email", {}, library_email_link, a_member()),
    Form("login.forgot_password", {"login": LOGINS}, at("/wachtwoord-vergeten"), a_member()),
    Form(
        "login.request_confirmation_mail",
        {"login": LOGINS},
        at("/bevestiging-opnieuw"),
        a_member(),
    ),
    Form(
        "login.reset_password",
        {"password": PASSWORDS, "password_confirm": PASSWORDS},
        reset_link,
        a_member(),
    ),
    Form(
        "account.cancel",
        {"when": ["end", "now"], "reason": ["verhuisd", "anders", "overleden", ""]},
        logged_in_at("/mijn-account/{patron}/opzeggen"),
        a_member(),
    ),
    Form(
        "account.stop_direct_debit",
        {"when": ["end", "now"], "reason": ["verhuisd", "anders", "overleden", ""]},
        logged_in_at("/mijn-account/{patron}/incasso-stoppen"),
        a_member("direct_debit"),
    ),
    Form("account.change", CHANGE, logged_in_at("/mijn-account/{patron}/wijzigen"), a_member()),
    Form(
        "account.undo",
        {},
        logged_in_at("/mijn-account", "/mijn-account/{patron}/wijziging-terugdraaien"),
        awaiting_its_payment,
    ),
    Form(
        "account.pay",
        {},
        logged_in_at("/mijn-account", "/mijn-account/{patron}/wijziging-betalen"),
        awaiting_its_payment,
    ),
    Form(
        "account.change_email",
        {"email": ["nieuw@example.nl", "marieke@example.nl"], "current_password": PASSWORDS},
        logged_in_at("/mijn-account/e-mail"),
        a_member(),
    ),
    Form(
        "account.change_password",
        {"current_password": PASSWORDS, "password": PASSWORDS, "password_confirm": PASSWORDS},
        logged_in_at("/mijn-account/wachtwoord"),
        a_member(),
    ),
    Form(
        "account.language",
        {"lang": ["nl", "en"]},
        logged_in_at("/mijn-account", "/mijn-account/taal"),
        a_member(),
    ),
    Form(
        "i18n.choose_language",
        {"lang": ["nl", "en"], "next": ["/word-lid", "/inloggen?next=/mijn-account"]},
        at("/", "/taal"),
    ),
    Form("staff.second_step", {"code": ["000000", "123 456"]}, second_step, a_staff_member),
    Form("payments.pay_instead", {}, pay_page, failed_collection),
    Form("staff.register_patron", DESK_REGISTRATION, at_the_desk("/balie/klanten/nieuw")),
    Form("staff.register_guest", GUEST_REGISTRATION, at_the_desk("/balie/gastleners/nieuw")),
    Form(
        "staff.mark_letters_printed",
        {
            "which": ["ticked", "all", None],
            "listed": ["{letter}", "9" * 30],
            "letter": ["{letter}", None, "0"],
        },
        at_the_desk("/balie/brieven", "/balie/brieven/afgedrukt"),
        a_letter,
    ),
    Form(
        "staff.subscription_status",
        {
            "status": ["invalid", "blacklisted"],
            "reason": ["Post komt retour"],
            "seen": ["normal", "invalid"],
        },
        at_the_desk(REFUSAL_PAGE),
        a_patron(SubscriptionStatus.NORMAL),
    ),
    Form(
        "staff.change_patron_data",
        PATRON_DATA,
        at_the_desk("/balie/klanten/{customer}/gegevens"),
        a_patron_as_shown,
    ),
    Form(
        "staff.lift_refusal",
        {"refusal": ["invalid", "blacklisted"]},
        at_the_desk(REFUSAL_PAGE, f"{REFUSAL_PAGE}/opheffen"),
        a_patron(SubscriptionStatus.INVALID),
    ),
    Form(
        "staff.cancel_subscription",
        {
            "when": ["now", "end"],
            "reason": ["overleden", "verhuisd", ""],
            "refund": ["yes", "no", None],
        },
        at_the_desk("/balie/klanten/{customer}/opzeggen"),
        a_member(),
    ),
    Form(
        "staff.move_youth_on",
        {},
        at_the_desk("/balie/klanten/{customer}", "/balie/klanten/{customer}/jeugd-overzetten"),
        a_youth_member,
    ),
    Form(
        "staff.change_subscription",
        CHANGE,
        at_the_desk(CHANGE_PAGE),
        a_member(),
    ),
    Form(
        "staff.undo_change",
        {},
        at_the_desk(CHANGE_PAGE, "/balie/klanten/{customer}/wijziging-terugdraaien"),
        awaiting_its_payment,
    ),
    Form(
        "staff.pay_change",
        {},
        at_the_desk(CHANGE_PAGE, "/balie/klanten/{customer}/wijziging-betalen"),
        awaiting_its_payment,
    ),
    Form(
        "staff.withdraw_cancellation",
        {},
        at_the_desk(
            "/balie/klanten/{customer}/opzeggen", "/balie/klanten/{customer}/opzegging-intrekken"
        ),
        cancelled_at_the_end,
    ),
    Form(
        "staff.make_login",
        {"email": ["nieuw@example.nl", ""]},
        at_the_desk(f"{LOGIN_PAGES}/nieuw"),
        a_patron(SubscriptionStatus.NORMAL),
    ),
    Form(
        "staff.link_login",
        {"find-login": ["marieke85", "balie", "niemand"], "link-account": [None, "1"]},
        at_the_desk(f"{LOGIN_PAGES}/koppelen"),
        a_patron(SubscriptionStatus.NORMAL),
    ),
    Form(
        "staff.one_time_password",
        {},
        at_the_desk(f"{LOGIN_PAGES}/eenmalig-wachtwoord"),
        a_member(),
    ),
    *(
        Form(
            f"staff.{endpoint}",
            {},
            at_the_desk("/balie/klanten/{customer}", f"{LOGIN_PAGES}/{action}"),
            a_member(),
        )
        for endpoint, action in (
            ("resend_login_mail", "bevestiging"),
            ("forget_login", "vergeten"),
            ("block_login", "blokkeren"),
            ("unblock_login", "deblokkeren"),
        )
    ),
    Form(
        "staff.scan_card", SCANNED, at_the_desk(f"{CARD_SCREEN}/pas-scannen"), a_member_with_cards
    ),
    Form(
        "staff.block_card",
        CARD_IN_ADDRESS | {"reason": ["lost", "stolen", "damaged", "other"]},
        card_button("blokkeren", CardStatus.ACTIVE),
        a_member_with_cards,
        path=["card_number"],
    ),
    Form(
        "staff.unblock_card",
        CARD_IN_ADDRESS,
        card_button("deblokkeren", CardStatus.BLOCKED),
        a_member_with_cards,
        path=["card_number"],
    ),
    Form(
        "staff.delete_card",
        CARD_IN_ADDRESS,
        card_button("verwijderen", CardStatus.ACTIVE),
        a_member_with_cards,
        path=["card_number"],
    ),
    Form("staff.merge_patrons", MERGE, merge_page, records_to_merge, path=["other"]),
    Form(
        "staff.erase_patron",
        {"asked": ["y", None], "number": ["{customer}", "{running}"]},
        erase_page,
        records_to_erase,
        path=["number"],
    ),
    Form(
        "staff.choose_desk",
        {"desk": ["{desk}", "0"], "next": ["/balie/klanten", "https://elders.example/"]},
        at_the_desk("/balie/balie-kiezen"),
        owing_at_a_desk,
    ),
    Form(
        "staff.take_payment",
        {
            "means": ["cash", "terminal", "link"],
            "amount": ["", "5,00", "€ 12.50", "99"],
            "request_key": ["0" * 32, "{customer}"],
        },
        at_our_desk(DESK_MONEY + "betalen"),
        owing_at_a_desk,
    ),
    Form(
        "staff.cancel_terminal_payment",
        {},
        taken_at_our_desk("terminal", DESK_MONEY + "betaling/{payment}", "/stoppen"),
        owing_at_a_desk,
    ),
    Form(
        "staff.waive_charge",
        {"charge": ["manual:fee-1", "manual:niets"], "reason": ["Coulance", ""]},
        at_our_desk(DESK_MONEY + "kwijtschelden"),
        owing_at_a_desk,
    ),
    Form(
        "staff.refund_payment",
        {"amount": ["", "1,00", "12,50"], "description": ["Vergissing", ""]},
        taken_at_our_desk("cash", DESK_MONEY + "terugbetalen/{payment}"),
        owing_at_a_desk,
    ),
    Form("oidc.authorize", {"decision": ["allow", "deny"]}, consent_page, with_service),
    Form(
        "oidc.end_session",
        {
            "confirm": ["1"],
            "client_id": ["{service}"],
            "post_logout_redirect_uri": [LOGOUT_URI],
            "state": ["af0ifjsldkj"],
            "id_token_hint": [None, "eyJhbGciOiJub25lIn0.e30."],
        },
        logout_page,
        with_service,
    ),
]


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """The requests sent per form, reported at the end of the module."""
    started, sent = time.monotonic(), Counter[str]()
    yield sent
    seconds = time.monotonic() - started
    plugins = request.config.pluginmanager
    report, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if report is not None and capture is not None and sent:
        with capture.global_and_fixture_disabled():
            report.write_line("")
            report.write_line(
                f"form fuzz: {sent.total()} requests over {len(sent)} forms in {seconds:.0f} s"
            )


@pytest.fixture
def visit(
    form: Form,
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    mollie_sandbox: Any,
    portal_server: str,  # noqa: ARG001  the sandbox's webhooks reach the portal
) -> Visit:
    """A browser on a portal whose login forms take as many tries as the fuzzing sends, with
    what the form needs set up."""
    app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    visit = Visit(app, new_browser, clock, mollie_sandbox)
    form.setup(visit)
    return visit


def body(values: Mapping[str, Value]) -> str:
    """The form as a browser encodes it (a field without a value is not sent)."""
    return urlencode([(name, value) for name, value in values.items() if value is not None])


@pytest.mark.parametrize("form", FORMS, ids=[form.endpoint for form in FORMS])
@FUZZ
@given(data=st.data())
def test_no_form_answers_a_server_error_or_stores_what_no_one_types(
    form: Form, visit: Visit, tally: Counter[str], data: st.DataObject
) -> None:
    page, action = form.reach(visit)
    shown = visit.client.get(page)
    assert shown.status_code == 200, f"{form.endpoint}: {page} is not the form's page"
    values = data.draw(form.values(visit.made, csrf_token(shown)))
    address, fields = form.sent(action, values)
    response = visit.client.post(address, data=body(fields), content_type=FORM_TYPE)
    tally[form.endpoint] += 1
    assert response.status_code < 500
    with db.engine.connect() as connection:
        assert stored_text_problems(connection) == []


@pytest.mark.parametrize("form", FORMS, ids=[form.endpoint for form in FORMS])
def test_an_invisible_character_in_any_text_field_is_stored_nowhere(
    form: Form, visit: Visit
) -> None:
    """The same for certain, not by chance: each field in turn, valid values in the others, a
    direction override in the middle of its first valid text."""
    valid = {
        name: [value.format(**visit.made) if isinstance(value, str) else value for value in values]
        for name, values in form.fields.items()
    }
    for name, values in valid.items():
        text = next((value for value in values if isinstance(value, str) and value), None)
        if text is None:
            continue
        page, action = form.reach(visit)
        filled = {field: choices[0] for field, choices in valid.items()}
        filled[name] = insert(text, len(text) // 2, "\u202e")
        filled["csrf_token"] = csrf_token(visit.client.get(page))
        address, fields = form.sent(action, filled)
        response = visit.client.post(address, data=body(fields), content_type=FORM_TYPE)
        assert response.status_code < 500, f"{form.endpoint}.{name}"
        with db.engine.connect() as connection:
            assert stored_text_problems(connection) == [], f"{form.endpoint}.{name}"


def columns_with_stored_text_problems() -> list[str]:
    """Commit what the test changed; the columns the check of stored text complains about."""
    db.session.commit()
    with db.engine.connect() as connection:
        return [problem.split(":")[0] for problem in stored_text_problems(connection)]


def test_the_check_of_stored_text_finds_controls(app: Flask) -> None:
    account = create_account(db.session, now())
    account.username = "mal\u202eory"
    assert columns_with_stored_text_problems() == ["login_account.username"]


@only_on_sqlite("PostgreSQL itself refuses text longer than its column")
def test_the_check_of_stored_text_finds_overlong_text(app: Flask) -> None:
    account = create_account(db.session, now())
    account.email = "e" * (max_length(LoginAccount.email) + 1)
    assert columns_with_stored_text_problems() == ["login_account.email"]


def test_every_form_of_the_portal_is_fuzzed(app: Flask) -> None:
    posted = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    forms = {rule.endpoint for rule in posted if not rule.rule.startswith(NOT_FORMS)}
    assert {form.endpoint for form in FORMS} == forms
    for path in NOT_FORMS:
        assert any(rule.rule.startswith(path) for rule in posted), f"no route {path} any more"
