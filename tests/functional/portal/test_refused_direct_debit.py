"""A refused (invalid, blacklisted) member paid by direct debit, against the sandbox: the
schedule at Mollie stops while refused (the mandate kept); lifted, it starts again from the
next unpaid period, once. A period that started while refused is skipped, but for the one the
lift falls in: that one is owed, as a failed collection."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.mandate import Mandate
from shared.models.patron import Patron
from shared.payments import ledger
from shared.payments.direct_debit import unpaid_periods
from shared.timeutil import add_months
from tests.functional.portal.test_direct_debit import remote_schedule, the_subscription
from tests.functional.portal.test_ended_schedules import ended_mails, reconcile
from tests.functional.portal.test_renewal import go_to
from tests.support.signup import signed_up
from tests.support.staff import desk_session, lift, refuse

DAY = timedelta(days=1)


def running_schedules(mollie_sandbox, patron: Patron) -> list:  # noqa: ANN001
    """The patron's schedules at the sandbox that still collect, read through the client."""
    customer = mollie_sandbox.client().customers.get(patron.mollie_customer_id)
    return [s for s in customer.subscriptions.list() if s.status in ("pending", "active")]


class Refused(NamedTuple):
    """A member refused by the desk, and what the subscription was before."""

    patron: Patron
    schedule: str  # the schedule's id at Mollie
    end: date  # the paid end


def refused_member(
    client: FlaskClient,
    desk: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> Refused:
    """A monthly direct-debit member the desk made invalid: the schedule stopped, the mandate
    kept (ours and Mollie's)."""
    signed_up(client, "0049")
    before = the_subscription()
    refused = Refused(before.patron, before.mollie_subscription_id or "", before.end_date)
    assert refuse(desk, refused.patron, "invalid", "Adres bestaat niet").status_code == 303
    assert the_subscription().status == "invalid"
    assert remote_schedule(mollie_sandbox, before).status == "canceled"
    assert running_schedules(mollie_sandbox, refused.patron) == []
    mandate = db.session.scalars(select(Mandate)).one()
    assert mandate.status == "valid"
    customer = mollie_sandbox.client().customers.get(refused.patron.mollie_customer_id)
    assert customer.mandates.get(mandate.provider_id).status == "valid"
    return refused


def test_lifted_within_the_paid_period_collecting_goes_on_from_the_next_period_once(
    app: Flask,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    desk = desk_session(app, new_browser())
    refused = refused_member(client, desk, mollie_sandbox)
    assert lift(desk, refused.patron, "invalid").status_code == 303
    after = the_subscription()
    assert (after.status, after.paid_by) == ("normal", "direct_debit")
    assert after.mollie_subscription_id not in (None, refused.schedule)
    [running] = running_schedules(mollie_sandbox, refused.patron)
    assert (running.id, running.start_date) == (
        after.mollie_subscription_id,
        (refused.end + DAY).isoformat(),
    )
    reconcile(app)  # starting again is done once
    assert [s.id for s in running_schedules(mollie_sandbox, refused.patron)] == [running.id]
    assert ledger.balance(db.session, refused.patron.id) == 0


def test_periods_while_refused_are_skipped_but_the_one_the_lift_falls_in_is_owed(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    desk = desk_session(app, new_browser())
    refused = refused_member(client, desk, mollie_sandbox)
    skipped = refused.end + DAY
    current = add_months(skipped, 1, skipped.day)
    lifted_on = current + 10 * DAY
    for day in (skipped + 3 * DAY, current + 3 * DAY, lifted_on):
        go_to(clock, day)
        reconcile(app)  # no schedule is found ended, nothing is mailed
    assert (the_subscription().paid_by, ended_mails()) == ("direct_debit", [])
    desk = desk_session(app, new_browser(), "balie2")
    assert lift(desk, refused.patron, "invalid").status_code == 303
    after = the_subscription()
    assert after.status == "invoiced" and after.end_date == refused.end
    assert unpaid_periods(db.session, after) == [current]
    assert ledger.balance(db.session, refused.patron.id) == Decimal("5.00")
    [running] = running_schedules(mollie_sandbox, refused.patron)
    assert running.start_date == date.isoformat(add_months(skipped, 2, skipped.day))


def test_a_collection_under_way_when_refused_pays_its_period_after_the_lift_not_a_charge(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    signed_up(client, "0049")
    before = the_subscription()
    next_period = before.end_date + DAY
    go_to(clock, next_period)
    pending = mollie_sandbox.charge(before.mollie_subscription_id, "pending")  # SEPA: days
    reconcile(app)  # no webhook for a collection begun: reconciliation finds it
    desk = desk_session(app, new_browser())
    assert refuse(desk, before.patron, "invalid", "Adres bestaat niet").status_code == 303
    go_to(clock, next_period + 2 * DAY)
    desk = desk_session(app, new_browser(), "balie2")
    assert lift(desk, before.patron, "invalid").status_code == 303
    after = the_subscription()
    assert after.status == "normal" and ledger.balance(db.session, before.patron.id) == 0
    [running] = running_schedules(mollie_sandbox, before.patron)
    assert running.start_date == add_months(next_period, 1, next_period.day).isoformat()
    mollie_sandbox.set_status(pending["id"], "paid")
    paid = the_subscription()
    assert paid.end_date == add_months(next_period, 1, next_period.day) - DAY
    assert ledger.balance(db.session, before.patron.id) == 0
