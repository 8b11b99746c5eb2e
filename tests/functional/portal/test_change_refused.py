"""A downgrade that starts while the desk refuses the patron: the new subscription carries the
refusal and is not invoiced yet; once the refusal is lifted, the next daily run invoices its
first period as any unpaid renewal."""

from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.patron import Patron
from shared.payments import ledger
from tests.functional.portal.test_change import change_page, choose, signed_up, subscriptions_of
from tests.functional.portal.test_desk_cancellation import END
from tests.functional.portal.test_renewal import DAY, go_to, run_daily
from tests.support.staff import desk_session, lift, refuse

__all__ = ["signed_up"]  # the fixture, used by name


def test_a_downgrade_begun_refused_is_invoiced_once_the_refusal_is_lifted(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    signed_up: Callable[[str], Patron],
) -> None:
    patron = signed_up("0053")
    go_to(clock, END - 10 * DAY)
    choose(client, change_page(patron), "0045:once", confirmed=True)
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    assert refuse(coordinator, patron, "invalid", "Post komt retour").status_code == 303
    go_to(clock, END + DAY)
    assert run_daily(app)["changed"] == 1
    basis = subscriptions_of(patron)[-1]
    assert (basis.type_code, basis.status) == ("0045", "invalid")
    assert ledger.balance(db.session, patron.id) == 0
    go_to(clock, END + 5 * DAY)
    coordinator = desk_session(app, new_browser(), "hoofd2", "coordinator")
    assert lift(coordinator, patron, "invalid").status_code == 303
    assert run_daily(app)["invoice"] == 1
    basis = subscriptions_of(patron)[-1]
    assert (basis.status, basis.grace_until) == ("invoiced", END + 30 * DAY)
    assert basis.usable_on(END + 5 * DAY)
    assert ledger.balance(db.session, patron.id) == Decimal("58.00")
