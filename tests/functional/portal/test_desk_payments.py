"""Taking money at the desk (/balie/klanten/<number>/betalen): cash at once and once however
often the form is sent, part of what is owed, the desk's PIN terminal at the Mollie sandbox,
an iDEAL | Wero link mailed and paid at the sandbox; each settles as a kiosk payment does and
is in the audit log with the balance before and after. The desk is chosen once a session."""

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.models.audit import AuditEntry
from shared.models.catalogue import Branch
from shared.models.desk import Desk
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from tests.functional.portal.test_renewal import a_year_on, go_to, run_daily, subscription_of
from tests.support.accounts import log_in, member
from tests.support.desk_money import (
    DESK_TERMINAL,
    add_desk,
    charge,
    choose_desk,
    filled,
    money_page,
    staff_at,
    take,
)
from tests.support.kiosk import TERMINAL
from tests.support.kiosk_api import owing_patron, register_kiosk
from tests.support.portals import at_once
from tests.support.signup import checkout
from tests.support.staff import desk_session

DAY = timedelta(days=1)


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> Desk:
    """The desk Balie BALIE-HAL in Ruinerwold, with the sandbox's second PIN terminal."""
    return add_desk(app, "BALIE-HAL", "--terminal", DESK_TERMINAL)


@pytest.fixture
def balie(app: Flask, new_browser: Callable[[], FlaskClient], desk: Desk) -> FlaskClient:
    """A desk member logged in, working at the desk."""
    return staff_at(app, new_browser(), desk, "balie1")


@pytest.fixture
def owing(app: Flask, client: FlaskClient) -> Patron:
    """A member who owes a € 12.50 late fee."""
    return owing_patron(app, client)


def audited(patron: Patron, action: str) -> list[AuditEntry]:
    """The patron's audit entries of this action, oldest first."""
    db.session.expire_all()
    return [e for e in reversed(entries(db.session, patron_id=patron.id)) if e.action == action]


def payments_of(patron: Patron) -> list[Payment]:
    """The patron's payments taken at a desk, oldest first."""
    db.session.expire_all()
    query = select(Payment).where(Payment.patron_id == patron.id, Payment.desk_id.is_not(None))
    return list(db.session.scalars(query.order_by(Payment.id)))


def test_the_desk_is_chosen_once_when_money_is_first_taken_and_can_be_changed(
    app: Flask, new_browser: Callable[[], FlaskClient], desk: Desk, owing: Patron
) -> None:
    other = add_desk(app, "BALIE-2")
    browser = desk_session(app, new_browser(), "balie1")
    first = browser.get(money_page(owing))
    assert first.status_code == 302 and first.location.startswith("/balie/balie-kiezen?next=")
    chosen = browser.post(
        "/balie/balie-kiezen",
        data={**filled(browser, first.location), "desk": str(desk.id), "next": money_page(owing)},
    )
    assert chosen.location == money_page(owing)
    page = browser.get(money_page(owing)).get_data(as_text=True)
    assert "Balie: Balie BALIE-HAL" in page and "Pinautomaat van deze balie" in page
    choose_desk(browser, other)
    page = browser.get(money_page(owing)).get_data(as_text=True)
    assert "Balie: Balie BALIE-2" in page and "Pinautomaat van deze balie" not in page


def test_cash_pays_what_is_owed_once_however_often_the_form_is_sent(
    balie: FlaskClient, owing: Patron, desk: Desk
) -> None:
    fields = {**filled(balie, money_page(owing)), "means": "cash", "amount": ""}
    answers = [balie.post(money_page(owing), data=fields) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [303, 303, 303]
    [payment] = payments_of(owing)
    assert (payment.method, payment.status, payment.amount) == ("cash", "paid", Decimal("12.50"))
    assert (payment.provider_id, payment.desk_id) == (None, desk.id)
    assert payment.staff_account_id is not None
    assert ledger.balance(db.session, owing.id) == 0
    told = balie.get(answers[0].location).get_data(as_text=True)
    assert re.search(r"€\s12,50 contant ontvangen", told)
    [entry] = audited(owing, "payment.taken")
    assert entry.staff_username == "balie1"
    assert entry.before == {"balance": "12.50"}
    assert entry.after == {
        "balance": "0.00",
        "amount": "12.50",
        "method": "cash",
        "status": "paid",
        "payment": payment.reference,
        "desk": "BALIE-HAL",
    }


def click_twice_at_once(
    balie: FlaskClient, owing: Patron, new_browser: Callable[[], FlaskClient], means: str
) -> list[int]:
    """Send the form for all that is owed by `means` twice at once, from two connections of
    the same staff session; the answers' status codes."""
    twin = new_browser()
    session = balie.get_cookie("session")
    assert session is not None
    twin.set_cookie("session", session.value)
    fields = {**filled(balie, money_page(owing)), "means": means, "amount": ""}
    answers = at_once(*(lambda b=b: b.post(money_page(owing), data=fields) for b in (balie, twin)))
    return [answer.status_code for answer in answers]


def test_two_clicks_at_once_take_the_cash_once(
    balie: FlaskClient, owing: Patron, new_browser: Callable[[], FlaskClient]
) -> None:
    assert click_twice_at_once(balie, owing, new_browser, "cash") == [303, 303]
    assert [p.amount for p in payments_of(owing)] == [Decimal("12.50")]
    assert ledger.balance(db.session, owing.id) == 0 and len(audited(owing, "payment.taken")) == 1


def test_two_clicks_at_once_start_the_terminal_once_in_the_audit_log(
    balie: FlaskClient,
    owing: Patron,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
    portal_server: str,
) -> None:
    assert click_twice_at_once(balie, owing, new_browser, "terminal") == [303, 303]
    assert [p.amount for p in payments_of(owing)] == [Decimal("12.50")]
    assert len(audited(owing, "payment.started")) == 1


def test_part_is_taken_and_more_than_is_owed_is_refused_at_the_amount(
    balie: FlaskClient, owing: Patron
) -> None:
    assert take(balie, owing, means="cash", amount="5,00").status_code == 303
    assert ledger.balance(db.session, owing.id) == Decimal("7.50")
    refused = take(balie, owing, means="cash", amount="€ 7,51")
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert re.search(r'id="amount-error">.*Er staat nu ten hoogste €\s7,50 open', html)
    assert "twaalf" not in html
    no_amount = take(balie, owing, means="cash", amount="twaalf").get_data(as_text=True)
    assert "Typ een bedrag in euro" in no_amount
    assert [p.amount for p in payments_of(owing)] == [Decimal("5.00")]
    assert len(audited(owing, "payment.taken")) == 1


def test_nothing_owed_offers_no_form(balie: FlaskClient, owing: Patron) -> None:
    take(balie, owing, means="cash")
    page = balie.get(money_page(owing)).get_data(as_text=True)
    assert "De klant is nu niets verschuldigd" in page and 'name="means"' not in page
    refused = take(balie, owing, means="cash", amount="1")
    assert refused.status_code == 200 and len(payments_of(owing)) == 1


def lapsed_member(app: Flask, client: FlaskClient, clock: ManualClock) -> tuple[Patron, date]:
    """A member whose renewal went unpaid past the grace period (lending blocked), on the
    first day blocked; with the end date of the paid year."""
    patron = member(client)
    end = subscription_of(patron).end_date
    for day in (end + DAY, end + 31 * DAY):
        go_to(clock, day)
        run_daily(app)
    assert not subscription_of(patron).usable_on(end + 31 * DAY)
    return patron, end


def test_cash_for_a_lapsed_renewal_extends_and_unblocks_as_at_the_kiosk(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    desk: Desk,
) -> None:
    patron, end = lapsed_member(app, client, clock)
    browser = staff_at(app, new_browser(), desk, "balie1")
    assert take(browser, patron, means="cash").status_code == 303
    paid = subscription_of(patron)
    assert (paid.status, paid.end_date) == ("normal", a_year_on(end))
    assert paid.usable_on(end + 31 * DAY)
    assert ledger.balance(db.session, patron.id) == 0


def test_the_desks_terminal_takes_the_payment_at_the_sandbox_with_progress_shown(
    balie: FlaskClient,
    owing: Patron,
    desk: Desk,
    mollie_sandbox,  # noqa: ANN001
    portal_server: str,
) -> None:
    started = take(balie, owing, means="terminal", amount="")
    assert started.status_code == 303
    [payment] = payments_of(owing)
    assert started.location.endswith(f"/betaling/{payment.reference}")
    assert (payment.method, payment.terminal_id) == ("pointofsale", DESK_TERMINAL)
    remote = mollie_sandbox.payment(payment.provider_id)
    assert remote["terminalId"] == DESK_TERMINAL and remote["amount"]["value"] == "12.50"
    waiting = balie.get(started.location).get_data(as_text=True)
    assert "<progress" in waiting and "data-recheck" in waiting
    assert ledger.balance(db.session, owing.id) == Decimal("12.50")
    mollie_sandbox.set_status(payment.provider_id, "paid")
    done = balie.get(started.location).get_data(as_text=True)
    assert "Betaald." in done and "data-recheck" not in done
    assert ledger.balance(db.session, owing.id) == 0
    [entry] = audited(owing, "payment.started")
    assert entry.before == {"balance": "12.50"}
    assert entry.after is not None and entry.after["method"] == "pointofsale"


def test_a_payment_waiting_on_the_terminal_can_be_stopped(
    balie: FlaskClient,
    owing: Patron,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    started = take(balie, owing, means="terminal")
    [payment] = payments_of(owing)
    page = balie.get(started.location)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    stopped = balie.post(f"{started.location}/stoppen", data={"csrf_token": token[1]})
    assert stopped.status_code == 303
    told = balie.get(stopped.location).get_data(as_text=True)
    assert "Niet betaald" in told
    assert payments_of(owing)[0].status == "canceled"
    assert ledger.balance(db.session, owing.id) == Decimal("12.50")


def test_only_a_payment_on_this_desks_terminal_can_be_stopped(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    balie: FlaskClient,
    owing: Patron,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    assert take(balie, owing, means="link", amount="2,50").status_code == 303
    other = staff_at(app, new_browser(), add_desk(app, "BALIE-2", "--terminal", TERMINAL), "b2")
    assert take(other, owing, means="terminal").status_code == 303
    link, terminal = payments_of(owing)
    token = filled(balie, money_page(owing))["csrf_token"]
    for payment in (link, terminal):
        path = f"{money_page(owing, 'betaling')}/{payment.reference}/stoppen"
        assert balie.post(path, data={"csrf_token": token}).status_code == 404
    assert [p.status for p in payments_of(owing)] == ["open", "open"]


def test_a_desk_without_terminal_offers_none_and_refuses_one(
    app: Flask, new_browser: Callable[[], FlaskClient], owing: Patron
) -> None:
    browser = desk_session(app, new_browser(), "balie1")
    choose_desk(browser, add_desk(app, "BALIE-ZONDER"))
    refused = take(browser, owing, means="terminal")
    assert refused.status_code == 200 and payments_of(owing) == []


def test_a_link_by_mail_is_paid_at_the_sandbox_and_settles(
    app: Flask,
    balie: FlaskClient,
    owing: Patron,
    client: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    assert take(balie, owing, means="link", amount="10,00").status_code == 303
    [payment] = payments_of(owing)
    assert (payment.method, payment.amount, payment.status) == ("ideal", Decimal("10.00"), "open")
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "desk_pay_link")).one()
    message = message_from_bytes(mail.message, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert payment.checkout_url in text and "10,00" in text
    assert message["To"] == owing.login_account.email
    client.get(checkout(payment.checkout_url, "paid"))
    assert ledger.balance(db.session, owing.id) == Decimal("2.50")
    [entry] = audited(owing, "payment.link_mailed")
    assert entry.after is not None and entry.after["to"] == owing.login_account.email


def test_a_patrons_login_gets_403(
    app: Flask, client: FlaskClient, new_browser: Callable[[], FlaskClient], desk: Desk
) -> None:
    patron = member(client)
    charge(app, patron, "12.50", "Te laat", "fee-1")
    browser = new_browser()
    assert log_in(browser, patron.login_account.username).status_code == 303
    for path in (money_page(patron), "/balie/balie-kiezen", "/balie/dagrapport"):
        assert browser.get(path).status_code == 403
    token = filled(browser, "/mijn-account")["csrf_token"]
    answer = browser.post(money_page(patron), data={"csrf_token": token, "means": "cash"})
    assert answer.status_code == 403 and payments_of(patron) == []


def test_desks_are_added_and_listed_by_the_cli_and_the_demo_adds_one_per_branch(
    app: Flask,
) -> None:
    runner = app.test_cli_runner()
    add_desk(app, "BALIE-HAL", "--terminal", DESK_TERMINAL)
    again = runner.invoke(args=["desk", "add", "BALIE-HAL", "--name", "X", "--branch", "5270"])
    assert again.exit_code == 1 and "desk_code_taken" in again.output
    nowhere = runner.invoke(args=["desk", "add", "B2", "--name", "X", "--branch", "0000"])
    assert nowhere.exit_code == 1 and "unknown_branch" in nowhere.output
    bad = runner.invoke(
        args=["desk", "add", "B3", "--name", "X", "--branch", "5270", "--terminal", "1"]
    )
    assert bad.exit_code == 1 and "invalid_terminal" in bad.output
    for _ in range(2):  # loading the demo again adds nothing
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
    listed = json.loads(runner.invoke(args=["desk", "list", "--json"]).output)
    demo = {row["code"]: row["terminal"] for row in listed}
    assert demo["BALIE-HAL"] == DESK_TERMINAL and demo["BALIE-5270"] == "term_sandboxKiosk2"
    branches = db.session.scalar(select(func.count()).select_from(Branch))
    assert len(demo) == branches + 1 and demo["BALIE-9401"] is None


def test_a_terminal_of_a_kiosk_or_another_desk_is_refused_to_a_new_desk(
    app: Flask,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    runner = app.test_cli_runner()
    register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    add_desk(app, "BALIE-HAL", "--terminal", DESK_TERMINAL)
    for terminal in (TERMINAL, DESK_TERMINAL):
        args = ["desk", "add", "BALIE-2", "--name", "X", "--branch", "5270", "--terminal", terminal]
        refused = runner.invoke(args=args)
        assert refused.exit_code == 1 and "terminal_in_use" in refused.output
        assert f"PIN terminal {terminal} is in use" in refused.output
    assert [desk.code for desk in db.session.scalars(select(Desk))] == ["BALIE-HAL"]
