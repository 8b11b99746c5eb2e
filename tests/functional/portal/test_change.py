"""Changing to another subscription, in Mijn account and at the desk: an upgrade starts today
with the difference for the rest of the period on the ledger (pro rata by day); a downgrade is
planned, shown, may be undone, and `memberships run-daily` starts it at the next period (once);
what may not be changed is refused with a reason; the desk's change is audited."""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron, Subscription
from shared.models.subscription_change import SubscriptionChange
from shared.payments import ledger
from shared.timeutil import add_months
from tests.functional.portal.test_desk_cancellation import (
    END,
    LATER,
    SIGNED_UP,
    audited,
    desk,
)
from tests.functional.portal.test_renewal import go_to, pay_by_link, run_daily
from tests.support.accounts import log_in, member
from tests.support.dates import noon_on
from tests.support.signup import csrf_token

DAY = timedelta(days=1)
__all__ = ["desk"]  # the fixture, used by name


def subscriptions_of(patron: Patron) -> list[Subscription]:
    """The patron's subscriptions, oldest first, read again."""
    db.session.expire_all()
    query = select(Subscription).where(Subscription.patron_id == patron.id)
    return list(db.session.scalars(query.order_by(Subscription.id)))


def change_page(patron: Patron) -> str:
    """Mijn account's change page of the patron."""
    return f"/mijn-account/{patron.id}/wijzigen"


def choose(client: FlaskClient, path: str, target: str, confirmed: bool) -> TestResponse:
    """Choose `target` (code:plan) on a change page; confirm it too when asked."""
    token = csrf_token(client.get(path))
    fields = {"csrf_token": token, "target": target} | ({"confirmed": "1"} if confirmed else {})
    return client.post(path, data=fields)


@pytest.fixture
def signed_up(client: FlaskClient, clock: ManualClock, mollie_sandbox) -> Callable[[str], Patron]:  # noqa: ANN001
    """A member who took a subscription online on SIGNED_UP (through END), logged in."""

    def signed_up(code: str) -> Patron:
        clock.set(noon_on(SIGNED_UP))
        patron = member(client, code)
        log_in(client, patron.customer_number)
        return patron

    return signed_up


def test_an_upgrade_starts_today_and_charges_the_rest_of_the_period_pro_rata_by_day(
    client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0045")
    go_to(clock, LATER)
    shown = choose(client, change_page(patron), "0053:once", confirmed=False)
    page = shown.get_data(as_text=True)
    # 201 of the period's 382 days after today: Compleet € 67.00 → € 35.25 (35.253…), Basis
    # € 58.00 → € 30.51 (30.518…), each in whole cents rounded down; the difference € 4.74.
    assert "201 van 382 dagen" in page
    for amount in ("35,25", "30,51", "4,74"):
        assert re.search(rf"€\s{amount}<", page), amount
    assert subscriptions_of(patron)[0].type_code == "0045"  # not changed before confirming
    assert choose(client, change_page(patron), "0053:once", confirmed=True).status_code == 303
    old, new = subscriptions_of(patron)
    assert (old.end_date, old.status, old.cancel_reason) == (LATER - DAY, "cancelled", "changed")
    assert (new.type_code, new.start_date, new.end_date, new.price) == (
        "0053",
        LATER,
        END,
        Decimal("67.00"),
    )
    charge = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.subscription_id == new.id)
    ).one()
    assert (charge.entry_type, charge.amount) == (EntryType.CHARGE, Decimal("4.74"))
    assert "Compleet (was Basis)" in charge.description
    overview = client.get("/mijn-account").get_data(as_text=True)
    assert "Je nieuwe abonnement moet nog betaald worden" in overview
    pay_by_link(client, overview)
    assert ledger.balance(db.session, patron.id) == 0


def test_a_downgrade_is_planned_and_run_daily_starts_it_at_the_next_period_once_invoiced(
    app: Flask, client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0053")
    go_to(clock, LATER)
    shown = choose(client, change_page(patron), "0045:once", confirmed=False)
    assert "Je huidige abonnement loopt tot het einde van de periode" in shown.get_data(
        as_text=True
    )
    assert choose(client, change_page(patron), "0045:once", confirmed=True).status_code == 303
    overview = client.get("/mijn-account").get_data(as_text=True)
    assert "Basis begint op" in overview and "Wijziging terugdraaien" in overview
    (current,) = subscriptions_of(patron)
    assert current.usable_on(END) and current.end_date == END
    go_to(clock, END - 30 * DAY)
    assert run_daily(app)["notice"] == 0  # the current one renews no more
    go_to(clock, END + DAY)
    seen = run_daily(app)
    assert (seen["changed"], seen["invoice"]) == (1, 0)
    # Unpaid yet, it starts as an unpaid renewal: invoiced, usable through the grace period.
    old, new = subscriptions_of(patron)
    assert (new.type_code, new.start_date, new.status) == ("0045", END + DAY, "invoiced")
    assert new.grace_until == END + 30 * DAY and new.usable_on(END + 30 * DAY)
    assert ledger.balance(db.session, patron.id) == Decimal("58.00")  # its first period
    assert run_daily(app)["changed"] == 0 and len(subscriptions_of(patron)) == 2
    change = db.session.scalars(select(SubscriptionChange)).one()
    assert (change.status, change.new_subscription_id) == ("started", new.id)
    go_to(clock, END + 23 * DAY)
    assert run_daily(app)["reminder"] == 1
    go_to(clock, END + 31 * DAY)
    assert run_daily(app)["lapsed"] == 1
    assert not subscriptions_of(patron)[1].usable_on(END + 31 * DAY)
    pay_by_link(client, client.get("/mijn-account").get_data(as_text=True))
    paid = subscriptions_of(patron)[1]
    assert (paid.status, paid.grace_until) == ("normal", None)
    assert (paid.end_date, ledger.balance(db.session, patron.id)) == (
        add_months(END + DAY, 12) - DAY,
        0,
    )
    assert paid.usable_on(END + 31 * DAY)


def test_a_planned_downgrade_can_be_undone_and_the_subscription_renews_again(
    app: Flask, client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0053")
    go_to(clock, LATER)
    choose(client, change_page(patron), "0045:once", confirmed=True)
    token = csrf_token(client.get("/mijn-account"))
    undone = client.post(
        f"/mijn-account/{patron.id}/wijziging-terugdraaien", data={"csrf_token": token}
    )
    assert undone.status_code == 303
    (current,) = subscriptions_of(patron)
    assert (current.status, current.cancelled_at, current.cancel_reason) == ("normal", None, None)
    assert db.session.scalars(select(SubscriptionChange.status)).one() == "undone"
    go_to(clock, END - 30 * DAY)
    assert run_daily(app)["notice"] == 1
    go_to(clock, END + DAY)
    assert run_daily(app)["changed"] == 0


def test_what_may_not_be_changed_is_refused_in_words(
    client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> None:
    patron = signed_up("0045")
    same = choose(client, change_page(patron), "0045:once", confirmed=False)
    assert same.status_code == 200
    assert "Dit is het abonnement dat je nu hebt." in same.get_data(as_text=True)
    made_up = choose(client, change_page(patron), "0053:cash", confirmed=True)
    assert "Dit abonnement kun je hier niet kiezen" in made_up.get_data(as_text=True)
    choose(client, change_page(patron), "0053:once", confirmed=True)
    choose(client, change_page(patron), "0045:once", confirmed=True)  # Compleet → Basis: planned
    again = client.get(change_page(patron)).get_data(as_text=True)
    assert "Er is al een wijziging gepland" in again
    assert len(subscriptions_of(patron)) == 2


def test_the_desk_changes_a_subscription_with_its_audit_entry_and_patrons_may_not(
    client: FlaskClient,
    clock: ManualClock,
    signed_up: Callable[[str], Patron],
    desk: Callable[[], FlaskClient],
) -> None:
    patron = signed_up("0045")
    path = f"/balie/klanten/{patron.customer_number}/wijzigen"
    assert client.get(path).status_code in (302, 403)  # a patron's login is no staff login
    go_to(clock, LATER)
    balie = desk()
    offered = balie.get(path).get_data(as_text=True)
    assert "Start" in offered  # the desk may give what online signup does not offer
    assert re.search(r"€\s4,74<", choose(balie, path, "0053:once", False).get_data(as_text=True))
    assert choose(balie, path, "0053:once", confirmed=True).status_code == 303
    entry = audited(patron, "subscription.changed")
    assert entry.before["subscription"] == "0045" and entry.before["end_date"] == END.isoformat()
    assert entry.after == {
        "subscription": "0053",
        "paid_by": "once",
        "starts_on": LATER.isoformat(),
        "charged": "4.74",
    }


def test_the_desk_names_a_changed_cancellation_and_refuses_to_withdraw_it(
    client: FlaskClient,
    clock: ManualClock,
    signed_up: Callable[[str], Patron],
    desk: Callable[[], FlaskClient],
) -> None:
    patron = signed_up("0053")
    go_to(clock, LATER)
    choose(client, change_page(patron), "0045:once", confirmed=True)  # a downgrade: planned
    balie = desk()
    cancel_page = balie.get(f"/balie/klanten/{patron.customer_number}/opzeggen")
    page = cancel_page.get_data(as_text=True)
    assert "reden: gewijzigd naar een ander abonnement" in page and ">changed<" not in page
    assert "opzegging-intrekken" not in page  # no withdraw button: undo the change instead
    withdrawn = balie.post(
        f"/balie/klanten/{patron.customer_number}/opzegging-intrekken",
        data={"csrf_token": csrf_token(cancel_page)},
        follow_redirects=True,
    )
    assert "Draai in plaats daarvan de geplande wijziging terug" in withdrawn.get_data(as_text=True)
    (current,) = subscriptions_of(patron)
    assert current.cancel_reason == "changed"
    assert db.session.scalars(select(SubscriptionChange.status)).one() == "planned"
