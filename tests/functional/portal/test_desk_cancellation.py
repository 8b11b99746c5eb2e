"""Cancelling at the desk (/balie/klanten/<number>/opzeggen): now with a refund of the unused part
(pro rata by day, at the sandbox, on the ledger) or without, at the end of the period and its
withdrawal before that end, each in the audit log with the subscription before and after."""

import re
from calendar import isleap
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.models.account import LoginAccount
from shared.models.audit import AuditEntry
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from tests.functional.portal.test_cancellation import cancel as cancel_online
from tests.functional.portal.test_renewal import (
    go_to,
    pay_by_link,
    renewal_mails,
    run_daily,
    subscription_of,
)
from tests.support.accounts import log_in, member
from tests.support.catalogue import load_changed_catalogue
from tests.support.dates import noon_on
from tests.support.desk_money import add_desk, choose_desk, staff_at, take
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.signup import csrf_token
from tests.support.staff import desk_session

DAY = timedelta(days=1)
# Basis (€ 58.00) taken on 15 January of a coming year without 29 February runs through 31
# January of the next year: 382 days. (The clock only moves forward.)
YEAR = next(year for year in count(date.today().year + 1) if not isleap(year))
SIGNED_UP, END, LATER = date(YEAR, 1, 15), date(YEAR + 1, 1, 31), date(YEAR, 7, 14)


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> Callable[[], FlaskClient]:
    """Log a desk member in, in a browser of their own (balie1, balie2, …): a staff session
    ends when the clock moves on."""
    logins = count(1)
    return lambda: desk_session(app, new_browser(), f"balie{next(logins)}")


@pytest.fixture
def basis(client: FlaskClient, clock: ManualClock, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A member who took Basis online on SIGNED_UP."""
    clock.set(noon_on(SIGNED_UP))
    patron = member(client)
    assert subscription_of(patron).end_date == END
    return patron


def page_of(patron: Patron) -> str:
    """The desk's cancel page of the patron."""
    return f"/balie/klanten/{patron.customer_number}/opzeggen"


def cancel(desk: FlaskClient, patron: Patron, **fields: str) -> TestResponse:
    """Fill in the desk's cancel form and send it."""
    page = desk.get(page_of(patron))
    return desk.post(page_of(patron), data={"csrf_token": csrf_token(page), **fields})


def withdraw(desk: FlaskClient, patron: Patron) -> TestResponse:
    """Press the button that withdraws the cancellation."""
    token = csrf_token(desk.get(page_of(patron)))
    path = f"/balie/klanten/{patron.customer_number}/opzegging-intrekken"
    return desk.post(path, data={"csrf_token": token})


def audited(patron: Patron, action: str) -> AuditEntry:
    """The patron's one audit entry of this action."""
    db.session.expire_all()
    (entry,) = [e for e in entries(db.session, patron_id=patron.id) if e.action == action]
    return entry


def test_now_with_a_refund_gives_back_the_unused_days_at_the_sandbox_and_on_the_ledger(
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, LATER)
    balie = desk()
    shown = balie.get(page_of(basis)).get_data(as_text=True)
    # 201 of 382 days after today, of € 58.00: € 30.518…, the fraction of a cent kept.
    assert re.search(r"Het ongebruikte deel terugbetalen: €\s30,51<", shown)
    assert "Overleden" in shown  # the desk's own reason
    answer = cancel(balie, basis, when="now", reason="overleden", refund="yes")
    assert answer.status_code == 303
    told = balie.get(answer.location).get_data(as_text=True)
    assert re.search(r"€\s30,51 wordt aan de klant terugbetaald", told)
    ended = subscription_of(basis)
    assert (ended.status, ended.end_date, ended.cancel_reason) == (
        "cancelled",
        LATER,
        "overleden",
    )
    refund = db.session.scalars(select(Refund)).one()
    payment = db.session.get_one(Payment, refund.payment_id)
    assert (refund.amount, refund.status) == (Decimal("30.51"), "pending")
    remote = mollie_sandbox.client().payments.get(payment.provider_id)
    assert remote.amount_refunded == {"currency": "EUR", "value": "30.51"}
    mollie_sandbox.set_refund_status(refund.provider_id, "refunded")
    db.session.expire_all()
    booked = db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == refund.id))
    assert [(e.entry_type, e.amount) for e in booked] == [(EntryType.REFUND, Decimal("30.51"))]
    assert ledger.balance(db.session, basis.id) == 0  # the unused part is credited too
    entry = audited(basis, "subscription.cancelled")
    assert entry.staff_username == "balie1"
    assert entry.before == {
        "status": "normal",
        "end_date": END.isoformat(),
        "cancel_reason": None,
        "paid_by": "once",
    }
    assert entry.after == {
        "status": "cancelled",
        "end_date": LATER.isoformat(),
        "cancel_reason": "overleden",
        "paid_by": "once",
        "refund": "30.51",
    }


def test_a_renewal_paid_ahead_is_refunded_whole_with_the_rest_of_the_current_period(
    app: Flask,
    client: FlaskClient,
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
) -> None:
    go_to(clock, END - 30 * DAY)
    run_daily(app)
    pay_by_link(client, renewal_mails()[0])
    go_to(clock, END - 10 * DAY)
    assert cancel(desk(), basis, when="now", reason="verhuisd", refund="yes").status_code == 303
    refunds = db.session.scalars(select(Refund).order_by(Refund.id)).all()
    periods = [db.session.get_one(Payment, r.payment_id).period_start for r in refunds]
    # 10 of the first period's 382 days (€ 1.518…), and all of the year paid ahead.
    assert [r.amount for r in refunds] == [Decimal("1.51"), Decimal("58.00")]
    assert periods == [SIGNED_UP, END + DAY]
    assert ledger.balance(db.session, basis.id) == Decimal("-59.51")  # until Mollie refunds


def test_a_refund_the_provider_did_not_take_is_sent_by_reconcile(
    app: Flask,
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, LATER)
    balie = desk()
    page = balie.get(page_of(basis))
    mollie_sandbox.inject_fault("error_500", count=50)
    fields = {"when": "now", "reason": "verhuisd", "refund": "yes"}
    answer = balie.post(page_of(basis), data={"csrf_token": csrf_token(page), **fields})
    told = balie.get(answer.location).get_data(as_text=True)
    assert re.search(r"De terugbetaling van €\s30,51 volgt zodra de betaaldienst", told)
    assert subscription_of(basis).status == "cancelled"
    waiting = db.session.scalars(select(Refund)).one()
    assert (waiting.amount, waiting.provider_id) == (Decimal("30.51"), None)
    assert ledger.balance(db.session, basis.id) == Decimal("-30.51")  # owed to the patron
    mollie_sandbox.clear_faults()
    assert app.test_cli_runner().invoke(args=["payments", "reconcile"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get_one(Refund, waiting.id).provider_id is not None


def test_now_without_a_refund_gives_nothing_back(
    desk: Callable[[], FlaskClient], basis: Patron, clock: ManualClock
) -> None:
    go_to(clock, LATER)
    assert cancel(desk(), basis, when="now", reason="verhuisd", refund="no").status_code == 303
    assert subscription_of(basis).end_date == LATER
    assert db.session.scalars(select(Refund)).all() == []
    assert ledger.balance(db.session, basis.id) == 0
    after = audited(basis, "subscription.cancelled").after
    assert after is not None and "refund" not in after and after["end_date"] == LATER.isoformat()


def test_a_refund_with_nothing_unused_is_refused_at_its_field(
    desk: Callable[[], FlaskClient], basis: Patron, clock: ManualClock
) -> None:
    go_to(clock, END)  # the last day: nothing after it
    balie = desk()
    shown = balie.get(page_of(basis)).get_data(as_text=True)
    assert re.search(r"Het ongebruikte deel terugbetalen: €\s0,00<", shown)
    answer = cancel(balie, basis, when="now", reason="verhuisd", refund="yes")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="refund-error"' in html and "niets worden terugbetaald" in html
    assert subscription_of(basis).cancelled_at is None


def test_a_cancellation_at_the_end_is_withdrawn_before_it_and_the_renewal_comes_again(
    app: Flask, desk: Callable[[], FlaskClient], basis: Patron, clock: ManualClock
) -> None:
    balie = desk()
    screen = balie.get(f"/balie/klanten/{basis.customer_number}").get_data(as_text=True)
    assert "Abonnement opzeggen" in screen
    assert cancel(balie, basis, when="end", reason="ontevreden").status_code == 303
    assert subscription_of(basis).end_date == END
    screen = balie.get(f"/balie/klanten/{basis.customer_number}").get_data(as_text=True)
    assert "Opzegging intrekken" in screen and "Abonnement opgezegd" in screen
    go_to(clock, END - 40 * DAY)
    answer = withdraw(desk(), basis)
    assert answer.status_code == 303 and answer.location.endswith(basis.customer_number)
    again = subscription_of(basis)
    assert (again.status, again.cancelled_at, again.cancel_reason) == ("normal", None, None)
    entry = audited(basis, "subscription.cancellation_withdrawn")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("cancelled", "normal")
    assert (entry.before["cancel_reason"], entry.after["cancel_reason"]) == ("ontevreden", None)
    go_to(clock, END - 30 * DAY)
    assert run_daily(app)["notice"] == 1


def test_a_cancellation_now_or_past_its_end_cannot_be_withdrawn(
    desk: Callable[[], FlaskClient], basis: Patron, clock: ManualClock
) -> None:
    go_to(clock, date(YEAR, 3, 1))
    balie = desk()
    cancel(balie, basis, when="now", reason="te_duur", refund="no")
    answer = withdraw(balie, basis)
    assert answer.status_code == 303 and answer.location.endswith("/opzeggen")
    refused = balie.get(answer.location).get_data(as_text=True)
    assert "Alleen een opzegging aan het einde van de periode kan worden ingetrokken" in refused
    assert subscription_of(basis).status == "cancelled"
    assert [e.action for e in entries(db.session, patron_id=basis.id)].count(
        "subscription.cancellation_withdrawn"
    ) == 0


def test_withdrawing_a_direct_debit_members_cancellation_renews_by_payment_link(
    client: FlaskClient, desk: Callable[[], FlaskClient], mollie_sandbox
) -> None:
    patron = member(client, "0045", plan="direct_debit")
    log_in(client, patron.customer_number)
    cancel_online(client, patron, when="end", reason="anders")
    assert withdraw(desk(), patron).status_code == 303
    again = subscription_of(patron)
    assert (again.status, again.paid_by, again.cancelled_at) == ("normal", "once", None)
    assert again.renewal_start == again.end_date + DAY  # renewed from there, by payment link


def charge_fee(app: Flask, patron: Patron) -> None:
    """A fee of € 2.50 owed by the patron, charged through the CLI."""
    fee = ["ledger", "charge", patron.customer_number, "2.50", "Te laat", "--key", "fee-1"]
    assert app.test_cli_runner().invoke(args=fee).exit_code == 0


def kiosk_paid(index: int) -> Payment:
    """The kiosk's terminal payments, by their order."""
    query = select(Payment).where(Payment.terminal_id.is_not(None)).order_by(Payment.id)
    return db.session.scalars(query).all()[index]


def test_a_later_payment_at_the_kiosk_leaves_a_renewal_settled_before_alone(
    app: Flask,
    client: FlaskClient,
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, END + DAY)
    run_daily(app)
    token = register_kiosk(app, "Kiosk", "--terminal", "term_sandboxKiosk1")
    assert kiosk_payment(client, token, basis, "pays-renewal").json["amount"] == "58.00"
    mollie_sandbox.set_status(kiosk_paid(0).provider_id, "paid")
    assert subscription_of(basis).end_date == date(YEAR + 2, 1, 31)
    go_to(clock, END + 40 * DAY)
    assert cancel(desk(), basis, when="now", reason="verhuisd", refund="no").status_code == 303
    charge_fee(app, basis)
    assert kiosk_payment(client, token, basis, "pays-fee").json["amount"] == "2.50"
    mollie_sandbox.set_status(kiosk_paid(1).provider_id, "paid")
    after = subscription_of(basis)
    assert (after.status, after.end_date) == ("cancelled", END + 40 * DAY)
    assert ledger.balance(db.session, basis.id) == 0


RENEWED, IN_RENEWAL = date(YEAR + 2, 1, 31), END + 100 * DAY  # the renewal's end; a day in it


def renewal_unused() -> Decimal:
    """The days of the renewal after IN_RENEWAL, of its days, of its € 58.00 (rounded down)."""
    share = Decimal("58.00") * (RENEWED - IN_RENEWAL).days / (RENEWED - END).days
    return share.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def refunded_through(mollie_sandbox, payment: Payment) -> Decimal:  # noqa: ANN001
    """The one refund made at the desk: against this payment, at the sandbox as on our side,
    and booked on the ledger once the sandbox refunded it; its amount."""
    refund = db.session.scalars(select(Refund)).one()
    assert refund.payment_id == payment.id
    remote = mollie_sandbox.client().payments.get(payment.provider_id)
    assert remote.amount_refunded == {"currency": "EUR", "value": str(refund.amount)}
    mollie_sandbox.set_refund_status(refund.provider_id, "refunded")
    db.session.expire_all()
    booked = db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == refund.id))
    assert [(e.entry_type, e.amount) for e in booked] == [(EntryType.REFUND, refund.amount)]
    return refund.amount


def test_a_renewal_paid_at_the_kiosk_gives_back_the_unused_part_of_its_share_only(
    app: Flask,
    client: FlaskClient,
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, END + DAY)
    run_daily(app)  # the renewal charged: € 58.00
    charge_fee(app, basis)
    token = register_kiosk(app, "Kiosk", "--terminal", "term_sandboxKiosk1")
    assert kiosk_payment(client, token, basis, "pays-all").json["amount"] == "60.50"
    mollie_sandbox.set_status(kiosk_paid(0).provider_id, "paid")
    assert subscription_of(basis).end_date == RENEWED
    go_to(clock, IN_RENEWAL)
    answer = cancel(desk(), basis, when="now", reason="verhuisd", refund="yes")
    assert answer.status_code == 303
    assert refunded_through(mollie_sandbox, kiosk_paid(0)) == renewal_unused()  # not the fee
    assert ledger.balance(db.session, basis.id) == 0


def test_a_renewal_paid_in_cash_is_given_back_in_cash_from_the_drawer_of_the_desk_chosen(
    app: Flask,
    desk: Callable[[], FlaskClient],
    new_browser: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, END + DAY)
    run_daily(app)  # the renewal charged: € 58.00
    hall, ruinerwold = add_desk(app, "BALIE-HAL"), add_desk(app, "BALIE-2")
    assert take(staff_at(app, new_browser(), hall, "kassa"), basis, means="cash").status_code == 303
    go_to(clock, IN_RENEWAL)
    balie = desk()
    asked = balie.get(page_of(basis))  # the cash part is paid from a drawer: which desk's?
    assert asked.status_code == 302 and "/balie/balie-kiezen" in asked.location
    choose_desk(balie, ruinerwold)
    answer = cancel(balie, basis, when="now", reason="verhuisd", refund="yes")
    assert answer.status_code == 303
    given = db.session.scalars(select(Refund)).one()
    assert (given.amount, given.status, given.provider_id) == (renewal_unused(), "refunded", None)
    assert (given.desk_id, given.staff_account_id) == (ruinerwold.id, audited_staff(basis))
    told = balie.get(answer.location).get_data(as_text=True)
    assert re.search(r"Geef de klant €\s[\d,]+ contant uit de kassa", told)
    assert ledger.balance(db.session, basis.id) == 0
    after = audited(basis, "subscription.cancelled").after
    assert (after["cash"], after["desk"]) == (str(renewal_unused()), "BALIE-2")
    assert app.test_cli_runner().invoke(args=["payments", "reconcile"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalars(select(Refund)).one().status == "refunded"


def audited_staff(patron: Patron) -> int:
    """The id of the staff login that cancelled the patron's subscription."""
    entry = audited(patron, "subscription.cancelled")
    return db.session.scalars(
        select(LoginAccount.id).where(LoginAccount.username == entry.staff_username)
    ).one()


def test_a_renewal_paid_by_link_once_invoiced_gives_back_its_unused_part(
    app: Flask,
    client: FlaskClient,
    desk: Callable[[], FlaskClient],
    basis: Patron,
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    go_to(clock, END + DAY)
    run_daily(app)
    pay_by_link(client, renewal_mails()[-1])
    link = db.session.scalars(select(Payment).where(Payment.period_start == END + DAY)).one()
    go_to(clock, IN_RENEWAL)
    assert cancel(desk(), basis, when="now", reason="verhuisd", refund="yes").status_code == 303
    assert refunded_through(mollie_sandbox, link) == renewal_unused()
    assert ledger.balance(db.session, basis.id) == 0


def test_a_signup_payment_with_a_registration_fee_gives_back_the_unused_part_of_the_period(
    client: FlaskClient,
    desk: Callable[[], FlaskClient],
    clock: ManualClock,
    tmp_path: Path,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    clock.set(noon_on(SIGNED_UP))
    load_changed_catalogue(tmp_path, "2.50")
    patron = member(client)
    signup = db.session.scalars(select(Payment)).one()
    assert signup.amount == Decimal("60.50")
    go_to(clock, LATER)
    balie = desk()
    shown = balie.get(page_of(patron)).get_data(as_text=True)
    assert "Het inschrijfgeld" in shown and "niet terugbetaald" in shown
    assert cancel(balie, patron, when="now", reason="verhuisd", refund="yes").status_code == 303
    # 201 of 382 days of the € 58.00 the period cost, not of the € 60.50 paid with the fee.
    assert refunded_through(mollie_sandbox, signup) == Decimal("30.51")
    assert ledger.balance(db.session, patron.id) == 0
