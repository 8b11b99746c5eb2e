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
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from portal.extensions import db
from portal.wiring import now, payment_provider
from shared.cards.numbers import luhn_check_digit
from shared.clock import ManualClock
from shared.memberships.cancellation import Cancellation, CancelWhen, cancel_subscription
from shared.memberships.change import Target, change_subscription
from shared.models.account import LoginAccount
from shared.models.desk import Desk
from shared.models.membership import Letter
from shared.models.patron import Patron, PaymentPlan, Subscription, SubscriptionStatus
from shared.models.payment import Payment
from shared.text import max_length
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
from tests.support.factories import create_account, create_patron
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
LOGINS = ["marieke85", "marieke@example.nl", "52700000012345", "{customer}", "niemand"]
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
    made, like "{service}"), how a browser gets to it (its page and where it posts), and what
    must exist first."""

    endpoint: str
    fields: Mapping[str, Sequence[Value]]
    reach: Callable[[Visit], tuple[str, str]]
    setup: Callable[[Visit], None] = lambda visit: None

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
        give_card(patron, "52700000012345")
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


def at_the_desk(page: str, action: str | None = None) -> Callable[[Visit], tuple[str, str]]:
    """A staff form: a desk member logged in (once per visit: no fuzzed form logs out); the
    page and action may name what the setup made ("{customer}")."""

    def reach(visit: Visit) -> tuple[str, str]:
        if "staff" not in visit.made:
            desk_session(visit.app, visit.client)
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
    response = visit.client.post(
        action,
        data=body(values),
        content_type=FORM_TYPE,
    )
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
        response = visit.client.post(action, data=body(filled), content_type=FORM_TYPE)
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
