"""A renewal's checkout left open while the subscription is changed or cancelled, then paid: the
old subscription is never extended (it would run beside the new one, paid twice); the money
stays credit on the ledger, marked surplus, for the next charge or a refund."""

import re
from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from shared.timeutil import add_months
from tests.functional.portal.test_cancellation import cancel
from tests.functional.portal.test_change import change_page, choose, signed_up, subscriptions_of
from tests.functional.portal.test_desk_cancellation import END, desk, withdraw
from tests.functional.portal.test_renewal import DAY, go_to, run_daily
from tests.support.signup import checkout, csrf_token

__all__ = ["desk", "signed_up"]  # the fixtures, used by name


def open_renewal_checkout(client: FlaskClient) -> str:
    """Follow Mijn account's renewal pay link to the checkout, and leave it open; its URL."""
    page = client.get("/mijn-account").get_data(as_text=True)
    link = re.search(r"https?://[^/\s]+(/betalen/[^\s\"<]+)", page)
    assert link is not None, page
    form = client.get(link[1])
    return client.post(link[1], data={"csrf_token": csrf_token(form)}).location


def renewal_paid_after(
    client: FlaskClient, clock: ManualClock, act: Callable[[], TestResponse]
) -> TestResponse:
    """Ten days before the end: the renewal's checkout opened and left open, `act` done (a
    change, a cancellation), then the checkout paid; what `act` answered."""
    go_to(clock, END - 10 * DAY)
    left_open = open_renewal_checkout(client)
    answer = act()
    client.get(checkout(left_open, "paid"))
    return answer


def renewal_payment() -> Payment:
    """The renewal's payment, read again."""
    db.session.expire_all()
    return db.session.scalars(select(Payment).where(Payment.period_start == END + DAY)).one()


def test_a_renewal_paid_after_a_downgrade_is_credit_not_a_second_subscription(
    app: Flask, client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0053")
    renewal_paid_after(
        client, clock, lambda: choose(client, change_page(patron), "0045:once", True)
    )
    compleet = subscriptions_of(patron)[0]
    assert compleet.end_date == END and renewal_payment().surplus
    assert ledger.balance(db.session, patron.id) == Decimal("-67.00")  # credit
    go_to(clock, END + DAY)
    run_daily(app)
    usable = [s.type_code for s in subscriptions_of(patron) if s.usable_on(END + DAY)]
    assert usable == ["0045"]
    # The credit pays Basis's first period: € 67.00 − € 58.00 left over.
    assert ledger.balance(db.session, patron.id) == Decimal("-9.00")


def test_a_renewal_paid_after_an_upgrade_does_not_extend_the_old_subscription(
    client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0045")
    renewal_paid_after(
        client, clock, lambda: choose(client, change_page(patron), "0053:once", True)
    )
    basis, compleet = subscriptions_of(patron)
    assert basis.end_date == END - 11 * DAY and renewal_payment().surplus
    assert (compleet.type_code, compleet.end_date) == ("0053", END)


def test_a_renewal_paid_after_cancelling_at_the_end_is_credit(
    client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0045")
    stopped = renewal_paid_after(
        client, clock, lambda: cancel(client, patron, when="end", reason="verhuisd")
    )
    assert stopped.status_code == 303
    (basis,) = subscriptions_of(patron)
    assert basis.end_date == END and renewal_payment().surplus
    assert ledger.balance(db.session, patron.id) == Decimal("-58.00")


def test_a_renewal_paid_while_a_change_was_planned_counts_once_the_change_is_undone(
    app: Flask, client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0053")
    renewal_paid_after(
        client, clock, lambda: choose(client, change_page(patron), "0045:once", True)
    )
    assert renewal_payment().surplus
    token = csrf_token(client.get("/mijn-account"))
    undo = client.post(
        f"/mijn-account/{patron.id}/wijziging-terugdraaien", data={"csrf_token": token}
    )
    assert undo.status_code == 303
    assert not renewal_payment().surplus
    go_to(clock, END + DAY)
    seen = run_daily(app)
    assert seen["invoice"] == 0
    (compleet,) = subscriptions_of(patron)
    assert compleet.end_date == add_months(END + DAY, 12) - DAY and compleet.usable_on(END + DAY)
    assert ledger.balance(db.session, patron.id) == 0


def test_a_renewal_paid_after_cancelling_counts_once_the_desk_withdraws_the_cancellation(
    client: FlaskClient,
    clock: ManualClock,
    signed_up: Callable[[str], Patron],
    desk: Callable[[], FlaskClient],
) -> None:
    patron = signed_up("0045")
    stopped = renewal_paid_after(
        client, clock, lambda: cancel(client, patron, when="end", reason="verhuisd")
    )
    assert stopped.status_code == 303
    assert withdraw(desk(), patron).status_code == 303
    (basis,) = subscriptions_of(patron)
    assert (basis.cancelled_at, basis.end_date) == (None, add_months(END + DAY, 12) - DAY)
    assert not renewal_payment().surplus and ledger.balance(db.session, patron.id) == 0
