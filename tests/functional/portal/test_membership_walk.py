"""Two years and more of two memberships, with housekeeping (`memberships run-daily`) run on every
day and the clock moved, never slept. Marieke signs up for Basis online: her renewal mail comes,
she pays ahead and the year is added to the old end; she upgrades to Compleet and pays the
difference for the days left; the desk blacklists her and lifts it, seen by the kiosk, the login
and single sign-on; her next renewal goes unpaid: charged, a grace period, a reminder, blocked,
paid at the kiosk and unblocked; the desk cancels her now with a refund of the unused part.
Sanne, registered at the desk at 17 with the youth subscription, moves on to Start on her 19th
birthday."""

from calendar import isleap
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from shared.timeutil import local_today
from tests.functional.portal.test_desk_cancellation import cancel
from tests.functional.portal.test_desk_registration import register, registered
from tests.functional.portal.test_renewal import pay_by_link, renewal_mails, run_daily
from tests.support.accounts import log_in, member
from tests.support.dates import noon_on
from tests.support.kiosk_api import KioskApi, kiosk_payment, register_kiosk
from tests.support.oidc import add_service, tokens_for
from tests.support.signup import csrf_token
from tests.support.staff import desk_session, lift, refuse, text_of

DAY = timedelta(days=1)
# A coming year without 29 February, so that the dates below hold (the clock only moves forward).
YEAR = next(year for year in count(date.today().year + 1) if not isleap(year))
SIGNED_UP = date(YEAR, 1, 15)
FIRST_END = date(YEAR + 1, 1, 31)  # Basis taken on 15 January runs through January a year on
SECOND_END = date(YEAR + 2, 1, 31)
THIRD_END = date(YEAR + 3, 1, 31)
SANNE_TURNS_19 = date(YEAR + 1, 6, 10)
BLACKLISTED_WORDS = "Je abonnement is geblokkeerd door de bibliotheek."


class Walk:
    """The clock, housekeeping and the people of the walk."""

    def __init__(
        self, app: Flask, clock: ManualClock, new_browser: Callable[[], FlaskClient]
    ) -> None:
        self.app, self.clock, self.new_browser = app, clock, new_browser
        self.seen: Counter[str] = Counter()
        self.logins = count(1)
        self.service = add_service(app, "--first-party")
        self.kiosk_token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk1")

    @property
    def today(self) -> date:
        """The library's date."""
        return local_today(self.clock.now())

    def live_until(self, day: date) -> None:
        """Each day up to `day`: the clock moves on a day and housekeeping runs once."""
        while self.today < day:
            self.clock.advance(DAY)
            self.seen.update(run_daily(self.app))

    def desk(self, role: str = "desk") -> FlaskClient:
        """A staff member of this role logged in at the desk, in a browser of their own (a staff
        session ends when the clock moves on)."""
        return desk_session(self.app, self.new_browser(), f"balie{next(self.logins)}", role)

    def library_claim(self, browser: FlaskClient) -> dict[str, Any]:
        """The `library` claim a first-party service gets for the patron logged in there."""
        assert log_in(browser, "marieke85").status_code == 303
        token = tokens_for(browser, self.service, scope="openid library")["access_token"]
        answer = browser.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.json["library"]


@pytest.fixture
def walk(
    app: Flask,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> Walk:
    """The walk, on the morning Marieke signs up."""
    clock.set(noon_on(SIGNED_UP))
    return Walk(app, clock, new_browser)


def subscriptions_of(patron: Patron) -> list[Subscription]:
    """The patron's subscriptions, read again, oldest first."""
    db.session.expire_all()
    query = select(Subscription).where(Subscription.patron_id == patron.id)
    return list(db.session.scalars(query.order_by(Subscription.start_date, Subscription.id)))


def current(patron: Patron) -> Subscription:
    """The patron's subscription that runs longest."""
    return max(subscriptions_of(patron), key=lambda subscription: subscription.end_date)


def balance(patron: Patron) -> Decimal:
    """What the patron owes."""
    return ledger.balance(db.session, patron.id)


def mail_subjects() -> list[str]:
    """The subjects of the renewal, grace and youth mails, oldest first."""
    return [text.splitlines()[0] for text in renewal_mails()]


def test_two_years_of_memberships(
    walk: Walk,
    client: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    marieke = member(client)
    assert current(marieke).end_date == FIRST_END and balance(marieke) == 0
    sanne = registered_youth(walk)
    first_renewal_paid_ahead(walk, client, marieke)
    upgraded_to_compleet(walk, client, marieke)
    sanne_turns_19(walk, sanne)
    blacklisted_and_lifted(walk, client, marieke)
    second_renewal_missed_then_paid_at_the_kiosk(walk, client, marieke, mollie_sandbox)
    cancelled_now_with_a_refund(walk, marieke, mollie_sandbox)
    # Housekeeping did each step once, on its day, in more than two years of daily runs (and
    # Sanne's Start, a year on, renewed on its own: free while she is 19 to 30).
    assert walk.seen == Counter(notice=2, invoice=1, reminder=1, lapsed=1, moved=1, renewed_free=1)
    assert current(sanne).end_date == date(YEAR + 3, 6, 30)


def registered_youth(walk: Walk) -> Patron:
    """Sanne, 17, registered at the desk: the youth subscription, chosen by her age."""
    sanne = registered(
        register(
            walk.desk(),
            initials="S.",
            first_name="Sanne",
            prefix="",
            surname="Zandstra",
            birth_date=date(SANNE_TURNS_19.year - 19, 6, 10).isoformat(),
            postcode="9468 BG",
            house_number="3",
            library_email="sanne@example.nl",
            subscription="",
        )
    )
    [youth] = subscriptions_of(sanne)
    assert (youth.type_code, youth.price, youth.end_date) == ("jeugd", 0, SANNE_TURNS_19 - DAY)
    return sanne


def first_renewal_paid_ahead(walk: Walk, client: FlaskClient, marieke: Patron) -> None:
    """The renewal mail 30 days before the end; paid by its link, the year counts from the end."""
    walk.live_until(FIRST_END - 31 * DAY)
    assert mail_subjects() == []
    walk.live_until(FIRST_END - 30 * DAY)
    [notice] = renewal_mails()
    assert notice.startswith("Verleng je abonnement") and "58,00" in notice
    walk.live_until(FIRST_END - 20 * DAY)
    pay_by_link(client, notice)
    renewed = current(marieke)
    assert (renewed.end_date, renewed.status, balance(marieke)) == (SECOND_END, "normal", 0)
    walk.live_until(FIRST_END + 40 * DAY)
    assert len(renewal_mails()) == 1 and balance(marieke) == 0


def share(price: Decimal, days_left: int, days: int) -> Decimal:
    """The part of a period's price that its days left stand for, in cents rounded down."""
    return (price * days_left / days).quantize(Decimal("0.01"), ROUND_DOWN)


def upgraded_to_compleet(walk: Walk, client: FlaskClient, marieke: Patron) -> None:
    """In Mijn account Marieke changes Basis for Compleet: from today, the difference for the
    days left of the period on the ledger, paid by the link Mijn account shows."""
    walk.live_until(date(YEAR + 1, 3, 1))
    assert log_in(client, "marieke85").status_code == 303
    page = f"/mijn-account/{marieke.id}/wijzigen"
    form = {"csrf_token": csrf_token(client.get(page)), "target": "0053:once", "confirmed": "1"}
    assert client.post(page, data=form).status_code == 303
    basis, compleet = subscriptions_of(marieke)[-2:]
    assert (basis.end_date, compleet.start_date) == (walk.today - DAY, walk.today)
    assert (compleet.type_code, compleet.end_date, compleet.price) == ("0053", SECOND_END, 67)
    days_left, days = (SECOND_END - walk.today).days, (SECOND_END - FIRST_END).days
    difference = share(Decimal(67), days_left, days) - share(Decimal(58), days_left, days)
    assert balance(marieke) == difference > 0
    pay_by_link(client, client.get("/mijn-account").get_data(as_text=True))
    assert balance(marieke) == 0 and current(marieke).usable_on(walk.today)


def sanne_turns_19(walk: Walk, sanne: Patron) -> None:
    """On her 19th birthday Sanne's youth subscription moves on to Start, with a mail."""
    walk.live_until(SANNE_TURNS_19 - DAY)
    assert current(sanne).type_code == "jeugd"
    walk.live_until(SANNE_TURNS_19)
    youth, start = subscriptions_of(sanne)
    assert (start.type_code, start.start_date, start.price) == ("0021", SANNE_TURNS_19, 0)
    assert start.usable_on(SANNE_TURNS_19) and not youth.usable_on(SANNE_TURNS_19)
    assert mail_subjects()[-1] == "Je jeugdlidmaatschap is overgezet"


def blacklisted_and_lifted(walk: Walk, client: FlaskClient, marieke: Patron) -> None:
    """A coordinator blacklists Marieke: the kiosk sends her to the desk and issues no card, her
    login says why in words, the library claim says no; lifted, all is as before."""
    walk.live_until(date(YEAR + 1, 8, 1))
    kiosk = KioskApi(client, walk.kiosk_token)
    coordinator = walk.desk("coordinator")
    assert refuse(coordinator, marieke, "blacklisted", "Agressief aan de balie").status_code == 303
    ticket = kiosk.ticket(marieke)
    summary = kiosk.call("GET", "/patron", ticket).json["patron"]
    assert (summary["subscription_valid"], summary["subscription_refused"]) == (False, True)
    kiosk.verify_id(marieke, ticket)
    refused = kiosk.call("POST", "/cards", ticket, {"chip_uid": "04A1B2C3D4E5F6"})
    assert refused.status_code == 409 and refused.json["error"] == "subscription_refused"
    claim = walk.library_claim(client)
    assert (claim["subscription_valid"], claim["online_library"]) == (False, False)
    page = text_of(client.get("/mijn-account").get_data(as_text=True))
    assert BLACKLISTED_WORDS in page and "Agressief" not in page
    assert lift(coordinator, marieke, "blacklisted").status_code == 303
    claim = walk.library_claim(client)
    assert (claim["subscription_valid"], claim["online_library"]) == (True, True)
    ticket = kiosk.ticket(marieke)
    assert kiosk.call("GET", "/patron", ticket).json["patron"]["subscription_valid"] is True


def second_renewal_missed_then_paid_at_the_kiosk(
    walk: Walk, client: FlaskClient, marieke: Patron, sandbox: Any
) -> None:
    """Unpaid: charged on the day after the end and valid through the grace period, a reminder a
    week before it ends, then blocked; paid at the kiosk, a year from the old end, unblocked."""
    walk.live_until(SECOND_END)
    price = current(marieke).price
    assert mail_subjects()[-1].startswith("Verleng je abonnement")
    walk.live_until(SECOND_END + DAY)
    invoiced = current(marieke)
    grace_end = SECOND_END + 30 * DAY
    assert (invoiced.status, invoiced.grace_until, balance(marieke)) == (
        "invoiced",
        grace_end,
        price,
    )
    assert walk.library_claim(client)["subscription_valid"] is True
    walk.live_until(grace_end - 7 * DAY)
    walk.live_until(grace_end + DAY)
    assert len(mail_subjects()) == 6  # notice, invoice, reminder, blocked (with the two before)
    claim = walk.library_claim(client)
    assert (claim["subscription_valid"], claim["online_library"]) == (False, False)
    created = kiosk_payment(client, walk.kiosk_token, marieke, "walk-renewal")
    assert created.status_code == 201 and Decimal(created.json["amount"]) == price
    payment = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    sandbox.set_status(payment.provider_id, "paid")
    paid = current(marieke)
    assert (paid.status, paid.grace_until, paid.end_date) == ("normal", None, THIRD_END)
    assert balance(marieke) == 0 and walk.library_claim(client)["subscription_valid"] is True


def cancelled_now_with_a_refund(walk: Walk, marieke: Patron, sandbox: Any) -> None:
    """The desk cancels now with a refund: the unused part of the kiosk payment, pro rata by
    day, goes back through the sandbox and on the ledger; the subscription ends today."""
    walk.live_until(date(YEAR + 2, 8, 1))
    answer = cancel(walk.desk(), marieke, when="now", reason="verhuisd", refund="yes")
    assert answer.status_code == 303, text_of(answer.get_data(as_text=True))
    ended = current(marieke)
    assert ended.end_date == walk.today and not ended.usable_on(walk.today + DAY)
    refund = db.session.scalars(select(Refund)).one()
    days_left = (THIRD_END - walk.today).days
    period = (THIRD_END - SECOND_END).days
    unused = share(ended.price, days_left, period)
    paid_at_the_kiosk = db.session.get_one(Payment, refund.payment_id)
    assert paid_at_the_kiosk.terminal_id is not None and refund.amount == unused
    remote = sandbox.client().payments.get(paid_at_the_kiosk.provider_id)
    assert remote.amount_refunded == {"currency": "EUR", "value": str(unused)}
    sandbox.set_refund_status(refund.provider_id, "refunded")
    db.session.expire_all()
    booked = db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == refund.id))
    assert [(line.entry_type, line.amount) for line in booked] == [(EntryType.REFUND, unused)]
    assert balance(marieke) == 0
