"""Changes and direct debit, against the Mollie sandbox through the real client.

A direct-debit upgrade keeps the mandate: the old schedule is cancelled at the provider and
the new one (the new amount, from the next period) started at once, once.

A once-paid subscription changed to direct debit: the change waits for a first payment (iDEAL |
Wero, as at signup) that pays the new subscription's first period and gives the mandate; paid, the
change is planned (once, however often the webhook comes); failed or abandoned, nothing changed and
the patron pays again or undoes it; `memberships run-daily` starts the new subscription and
reconciliation its schedule from the period after, once. Nothing is paid twice for the same days."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import webhook_signature
from shared.clock import ManualClock
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.mandate import Mandate
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.models.subscription_change import SubscriptionChange
from shared.payments import ledger
from shared.timeutil import add_months
from tests.functional.portal.test_change import (
    DAY,
    change_page,
    choose,
    signed_up,
    subscriptions_of,
)
from tests.functional.portal.test_desk_cancellation import END, LATER, SIGNED_UP, audited, desk
from tests.functional.portal.test_renewal import go_to, run_daily
from tests.support.accounts import log_in, member
from tests.support.dates import noon_on
from tests.support.signup import checkout, csrf_token

__all__ = ["desk", "signed_up"]  # the fixtures, used by name
MONTHLY = "0049:direct_debit"  # Basis (maand-incasso), € 5.00 a month


def the_change() -> SubscriptionChange:
    """The only change, read again."""
    db.session.expire_all()
    return db.session.scalars(select(SubscriptionChange)).one()


def change_payments() -> list[Payment]:
    """The first payments of the change, oldest first."""
    query = select(Payment).where(Payment.purpose == "change").order_by(Payment.id)
    return list(db.session.scalars(query))


def reconcile(app: Flask) -> None:
    """`payments reconcile`, as the job runs it."""
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output


def test_paid_the_change_is_planned_once_and_its_schedule_collects_from_the_period_after(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    signed_up: Callable[[str], Patron],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = signed_up("0045")
    go_to(clock, LATER)
    shown = choose(client, change_page(patron), MONTHLY, confirmed=False).get_data(as_text=True)
    assert "Je betaalt nu de eerste periode van Basis (maand-incasso)" in shown
    confirmed = choose(client, change_page(patron), MONTHLY, confirmed=True)
    assert confirmed.status_code == 303 and "/checkout/" in confirmed.location
    (current,) = subscriptions_of(patron)
    assert (the_change().status, current.cancelled_at) == ("awaiting", None)
    (first,) = change_payments()
    assert (first.sequence_type, first.amount, first.customer_id) == (
        "first",
        Decimal("5.00"),
        patron.mollie_customer_id,
    )
    thanks = client.get(checkout(confirmed.location, "paid")).get_data(as_text=True)
    assert "Automatische incasso is geregeld" in thanks
    webhook = f"/betalingen/webhook/{first.reference}/{webhook_signature(first.reference)}"
    assert [client.post(webhook, data={"id": first.provider_id}).status_code] * 2 == [200, 200]
    client.post(webhook, data={"id": first.provider_id})
    change, (current,) = the_change(), subscriptions_of(patron)
    assert (change.status, change.payment_id) == ("planned", first.id)
    assert (current.cancel_reason, current.end_date) == ("changed", END)
    assert ledger.balance(db.session, patron.id) == Decimal("-5.00")  # paid ahead, once
    go_to(clock, END + DAY)
    assert run_daily(app)["changed"] == 1
    assert run_daily(app)["changed"] == 0
    reconcile(app)
    reconcile(app)
    old, new = subscriptions_of(patron)
    month_end = add_months(END + DAY, 1) - DAY
    assert (new.type_code, new.paid_by, new.start_date, new.end_date) == (
        "0049",
        "direct_debit",
        END + DAY,
        month_end,
    )
    assert new.renewal_start == month_end + DAY  # the first payment paid the first month
    assert ledger.balance(db.session, patron.id) == 0
    schedules = list(mollie_sandbox.client().subscriptions.list())
    assert len(schedules) == 1 and schedules[0].id == new.mollie_subscription_id
    assert schedules[0].start_date == (month_end + DAY).isoformat()
    assert schedules[0].amount == {"currency": "EUR", "value": "5.00"}
    assert db.session.scalars(select(Mandate.patron_id)).one() == patron.id
    charges = db.session.scalars(
        select(LedgerEntry.amount).where(LedgerEntry.entry_type == EntryType.CHARGE)
    )
    assert sorted(charges) == [Decimal("5.00"), Decimal("58.00")]  # each period once


@pytest.fixture
def awaiting(
    client: FlaskClient, clock: ManualClock, signed_up: Callable[[str], Patron]
) -> tuple[Patron, str]:
    """A Basis member who confirmed the change to a monthly direct debit in Mijn account (on
    LATER), and the checkout it sent them to."""
    patron = signed_up("0045")
    go_to(clock, LATER)
    return patron, choose(client, change_page(patron), MONTHLY, confirmed=True).location


def test_failed_nothing_changes_and_the_patron_pays_again_from_mijn_account(
    client: FlaskClient, awaiting: tuple[Patron, str]
) -> None:
    patron, checkout_url = awaiting
    failed = client.get(checkout(checkout_url, "failed"))
    assert 'href="/mijn-account"' in failed.get_data(as_text=True)  # where to try again
    (current,) = subscriptions_of(patron)
    assert (the_change().status, current.cancelled_at) == ("awaiting", None)
    overview = client.get("/mijn-account")
    assert "wacht op de eerste betaling" in overview.get_data(as_text=True)
    again = client.post(
        f"/mijn-account/{patron.id}/wijziging-betalen", data={"csrf_token": csrf_token(overview)}
    )
    assert again.status_code == 303 and again.location != checkout_url
    client.get(checkout(again.location, "paid"))
    assert the_change().status == "planned"
    assert [p.status for p in change_payments()] == ["failed", "paid"]
    assert ledger.balance(db.session, patron.id) == Decimal("-5.00")


def test_abandoned_it_can_be_undone_and_a_late_payment_stays_credit(
    client: FlaskClient, awaiting: tuple[Patron, str]
) -> None:
    patron, checkout_url = awaiting
    token = csrf_token(client.get("/mijn-account"))
    undone = client.post(
        f"/mijn-account/{patron.id}/wijziging-terugdraaien", data={"csrf_token": token}
    )
    assert undone.status_code == 303 and the_change().status == "undone"
    (current,) = subscriptions_of(patron)
    assert (current.status, current.cancelled_at) == ("normal", None)
    client.get(checkout(checkout_url, "paid"))  # paid in a tab left open
    (payment,) = change_payments()
    assert (payment.status, payment.surplus) == ("paid", True)
    assert the_change().status == "undone" and subscriptions_of(patron)[0].cancelled_at is None
    assert ledger.balance(db.session, patron.id) == Decimal("-5.00")


def test_the_desk_lets_the_patron_pay_on_its_screen_audited(
    client: FlaskClient,
    clock: ManualClock,
    signed_up: Callable[[str], Patron],
    desk: Callable[[], FlaskClient],
) -> None:
    patron = signed_up("0045")
    go_to(clock, LATER)
    balie, path = desk(), f"/balie/klanten/{patron.customer_number}/wijzigen"
    confirmed = choose(balie, path, MONTHLY, confirmed=True)
    assert confirmed.location.endswith(path)
    page = balie.get(path)
    assert "wacht op de eerste betaling" in page.get_data(as_text=True)
    pay = balie.post(
        f"/balie/klanten/{patron.customer_number}/wijziging-betalen",
        data={"csrf_token": csrf_token(page)},
    )
    balie.get(checkout(pay.location, "paid"))
    assert the_change().status == "planned" and the_change().by_desk
    assert audited(patron, "subscription.changed").after["paid_by"] == "direct_debit"


def test_a_direct_debit_upgrade_keeps_the_mandate_and_replaces_the_schedule_at_once(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    clock.set(noon_on(SIGNED_UP))
    patron = member(client, "0045", "direct_debit")  # Basis, € 58.00 a year
    log_in(client, patron.customer_number)
    (old,) = subscriptions_of(patron)
    old_schedule = old.mollie_subscription_id
    go_to(clock, LATER)
    assert choose(client, change_page(patron), MONTHLY, confirmed=True).status_code == 303
    old, new = subscriptions_of(patron)
    assert (new.paid_by, new.start_date, new.end_date, new.renewal_start) == (
        "direct_debit",
        LATER,
        END,
        END + DAY,
    )
    remote = {s.id: s for s in mollie_sandbox.client().subscriptions.list()}
    assert remote[old_schedule].status == "canceled"
    started = remote[new.mollie_subscription_id]  # at once, not at the next reconcile
    assert (started.status, started.interval, started.start_date) == (
        "active",
        "1 month",
        (END + DAY).isoformat(),
    )
    assert started.amount == {"currency": "EUR", "value": "5.00"}
    assert started.mandate_id == db.session.scalars(select(Mandate.provider_id)).one()
    assert db.session.scalars(select(Mandate.status)).one() == "valid"
    # 201 of 382 days: € 60.00 a year → € 31.57, € 58.00 → € 30.51; the difference € 1.06.
    assert ledger.balance(db.session, patron.id) == Decimal("1.06")
    reconcile(app)
    reconcile(app)
    assert len(list(mollie_sandbox.client().subscriptions.list())) == 2
    assert subscriptions_of(patron)[1].mollie_subscription_id == started.id
